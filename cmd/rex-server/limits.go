package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/server"
)

// limitFlags bound what clients can make the server hold; the defaults
// suit a shared build server.
var limitFlags = []cli.Flag{
	&cli.DurationFlag{Name: "upload-idle", Value: 5 * time.Minute, EnvVars: []string{"REX_SERVER_UPLOAD_IDLE"},
		Usage: "a partial ByteStream upload with no data for this long is ended and deleted"},
	&cli.IntFlag{Name: "max-calls-per-client", Value: 1024, EnvVars: []string{"REX_SERVER_MAX_CALLS_PER_CLIENT"},
		Usage: "concurrent calls one client (peer address) may have in flight; beyond it RESOURCE_EXHAUSTED"},
	&cli.BoolFlag{Name: "shared-instances", EnvVars: []string{"REX_SERVER_SHARED_INSTANCES"},
		Usage: "let every instance name share one action cache (by default each instance has its own)"},
}

// limitsConfig is what limitFlags set.
type limitsConfig struct {
	limits          server.Limits
	sharedInstances bool
}

func limitsFrom(c *cli.Context) (limitsConfig, error) {
	l := limitsConfig{
		limits: server.Limits{
			UploadIdle:       c.Duration("upload-idle"),
			StreamsPerClient: c.Int("max-calls-per-client"),
		},
		sharedInstances: c.Bool("shared-instances"),
	}
	if l.limits.UploadIdle <= 0 {
		return l, fmt.Errorf("--upload-idle %v: must be positive", l.limits.UploadIdle)
	}
	if l.limits.StreamsPerClient <= 0 {
		return l, fmt.Errorf("--max-calls-per-client %d: must be positive", l.limits.StreamsPerClient)
	}
	return l, nil
}

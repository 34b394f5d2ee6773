package main

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/wrapper"
)

// invocation is the compile as the stats and the per-output records name it.
type invocation struct {
	argv []string
	dir  string
}

func inv(argv []string, dir string) invocation { return invocation{argv, dir} }

// object is the absolute path of the file the compile writes: the object
// of a remotable compile, else the -o value; "" when there is none.
func (i invocation) object() string {
	out := ""
	if p, err := compiler.Parse(i.argv, i.dir); err == nil && p.Output != "" {
		out = p.Output
	} else {
		out = dashO(i.argv)
	}
	if out == "" || out == "-" {
		return ""
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(i.dir, out)
	}
	return filepath.Clean(out)
}

// dashO is the last -o value of argv.
func dashO(argv []string) string {
	out := ""
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-o" && i+1 < len(argv):
			out = argv[i+1]
			i++
		case strings.HasPrefix(a, "-o") && len(a) > 2:
			out = a[2:]
		}
	}
	return out
}

// entry is the invocation as the counters and the build log record it.
func entry(c *cli.Context, call invocation, res wrapper.Result, wall time.Duration) stats.Entry {
	e := stats.Entry{
		Outcome: res.Outcome, Verdict: verdict(res), Output: call.object(), Build: c.String("build-id"),
		Wall: wall, Sent: res.BytesSent, Received: res.BytesReceived,
	}
	if res.Reason != nil {
		e.Reason = res.Reason.Error()
	}
	if res.Outcome.IsHit() && res.CompileTime > 0 {
		e.Saved = res.CompileTime - wall
	}
	return e
}

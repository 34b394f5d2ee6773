// Command rex-server serves every REAPI service (Capabilities, CAS,
// ByteStream, ActionCache, Execution) from a disk store, and runs embedded
// workers, so that alone it is a complete single-machine system.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/urfave/cli/v2"
)

var version = "0.1.0-dev"

func main() {
	app := &cli.App{
		Name:    "rex-server",
		Usage:   "a remote-execution (REAPI v2) server with a disk cache and embedded workers",
		Version: version,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8980", EnvVars: []string{"REX_SERVER_LISTEN"},
				Usage: "host:port, or unix:///path"},
			&cli.StringFlag{Name: "dir", Required: true, EnvVars: []string{"REX_SERVER_DIR"},
				Usage: "where blobs and action results are stored"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), EnvVars: []string{"REX_SERVER_WORKERS"},
				Usage: "embedded workers (0 for none: standalone rex-worker processes pull work)"},
			&cli.StringFlag{Name: "max-size", EnvVars: []string{"REX_SERVER_MAX_SIZE"},
				Usage: "bound on stored blob bytes, e.g. 10GiB (default: unbounded)"},
			&cli.StringFlag{Name: "sandbox", Value: "auto", Usage: "embedded workers' sandbox: auto or none"},
			&cli.StringSliceFlag{Name: "platform", Usage: "name=value platform property the embedded workers offer"},
		}, limitFlags...),
		Action: func(c *cli.Context) error {
			cfg, err := configFrom(c)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, cfg)
		},
	}
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintf(os.Stderr, "rex-server: %v\n", err)
		os.Exit(1)
	}
}

// Command rex-server serves every REAPI service (Capabilities, CAS,
// ByteStream, ActionCache, Execution) from a disk store, and runs embedded
// workers, so that alone it is a complete single-machine system.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/worker"
)

var version = "0.1.0-dev"

func main() {
	if worker.IsSpawnerCall(os.Args) {
		if err := worker.RunSpawner(); err != nil {
			fmt.Fprintf(os.Stderr, "rex-server: %v\n", err)
			os.Exit(1)
		}
		return
	}
	app := &cli.App{
		Name:    "rex-server",
		Usage:   "a remote-execution (REAPI v2) server with a disk cache and embedded workers",
		Version: version,
		Flags:   flags(),
		Action: func(c *cli.Context) error {
			cfg, err := configFrom(c)
			if err != nil {
				return err
			}
			if err := setLogFormat(c.String("log-format")); err != nil {
				return err
			}
			tuneGC()
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

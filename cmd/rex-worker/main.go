// Command rex-worker is a standalone worker: it pulls actions from a
// rex-server, runs them in a sandboxed directory and reports the results.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/cmd/internal/jailflags"
	"github.com/rexbuild/rex/endpoint"
	"github.com/rexbuild/rex/worker"
)

var version = "0.1.0-dev"

func main() {
	if worker.IsSpawnerCall(os.Args) {
		if err := worker.RunSpawner(); err != nil {
			fmt.Fprintf(os.Stderr, "rex-worker: %v\n", err)
			os.Exit(1)
		}
		return
	}
	app := &cli.App{
		Name:    "rex-worker",
		Usage:   "pull actions from a rex-server and run them",
		Version: version,
		Flags:   flags(),
		Action:  run,
	}
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintf(os.Stderr, "rex-worker: %v\n", err)
		os.Exit(1)
	}
}

// flags declares every option; each may come from its REX_WORKER_* variable.
func flags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "server", Value: "grpc://127.0.0.1:8980", EnvVars: []string{"REX_WORKER_SERVER"},
			Usage: "rex-server address: grpc://host:port, grpcs://host:port or unix:///path"},
		&cli.StringFlag{Name: "dir", Required: true, EnvVars: []string{"REX_WORKER_DIR"},
			Usage: "directory for the actions' working trees"},
		&cli.StringSliceFlag{Name: "platform", EnvVars: []string{"REX_WORKER_PLATFORM"},
			Usage: "name=value platform property this worker offers (repeatable)"},
		&cli.IntFlag{Name: "concurrency", Value: 1, EnvVars: []string{"REX_WORKER_CONCURRENCY"},
			Usage: "actions run at once"},
		&cli.StringFlag{Name: "sandbox", Value: string(worker.SandboxAuto), EnvVars: []string{"REX_WORKER_SANDBOX"},
			Usage: "auto (the namespace sandbox; actions fail when it cannot be built), none (unisolated), namespaces (the worker stops when it cannot be built), or hermetic (namespaces, with the action's input root as its /: actions bring their toolchain, as rex --hermetic sends it)"},
		&cli.StringFlag{Name: "id", EnvVars: []string{"REX_WORKER_ID"},
			Usage: "worker name reported to the server (default: host name and pid)"},
		&cli.StringFlag{Name: "instance", EnvVars: []string{"REX_WORKER_INSTANCE"},
			Usage: "REAPI instance name of the CAS"},
		&cli.StringFlag{Name: "token", EnvVars: []string{"REX_WORKER_TOKEN"},
			Usage: "bearer token with the worker role (prefer --token-file)"},
		&cli.StringFlag{Name: "token-file", EnvVars: []string{"REX_WORKER_TOKEN_FILE"}, Usage: "file holding the token"},
		&cli.StringFlag{Name: "tls-ca-cert", EnvVars: []string{"REX_WORKER_TLS_CA_CERT"}, Usage: "CA bundle for grpcs://"},
		&cli.StringFlag{Name: "tls-client-cert", EnvVars: []string{"REX_WORKER_TLS_CLIENT_CERT"}, Usage: "client certificate for grpcs://"},
		&cli.StringFlag{Name: "tls-client-key", EnvVars: []string{"REX_WORKER_TLS_CLIENT_KEY"}, Usage: "client key for grpcs://"},
		&cli.StringFlag{Name: "cache-size", Value: "4GiB", EnvVars: []string{"REX_WORKER_CACHE_SIZE"},
			Usage: "bound on the file cache input roots are hard-linked from, e.g. 10GiB"},
		&cli.Int64Flag{Name: "max-output-bytes", EnvVars: []string{"REX_WORKER_MAX_OUTPUT_BYTES"},
			Usage: "cap on an action's stdout and on its stderr (default 64 MiB)"},
	}, jailflags.Flags("REX_WORKER_")...)
}

func run(c *cli.Context) error {
	token, err := endpoint.ReadToken(c.String("token"), c.String("token-file"))
	if err != nil {
		return err
	}
	cfg := client.Config{Server: c.String("server"), Instance: c.String("instance"), Token: token, ToolVersion: "rex-worker/" + version,
		TLSCAFile: c.String("tls-ca-cert"), TLSCertFile: c.String("tls-client-cert"), TLSKeyFile: c.String("tls-client-key")}
	opts, err := optionsFrom(c)
	if err != nil {
		return err
	}
	opts.CASFor = worker.CASDialer(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cl, err := client.Dial(ctx, cfg)
	if err != nil {
		return err
	}
	defer cl.Close()
	return worker.New(cl.Conn(), cl, opts).Run(ctx)
}

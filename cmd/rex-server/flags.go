package main

import (
	"runtime"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/cmd/internal/jailflags"
)

// flags declares every option; most may come from a REX_SERVER_* variable.
func flags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8980", EnvVars: []string{"REX_SERVER_LISTEN"},
			Usage: "host:port, or unix:///path"},
		&cli.StringFlag{Name: "dir", Required: true, EnvVars: []string{"REX_SERVER_DIR"},
			Usage: "where blobs and action results are stored"},
		&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), EnvVars: []string{"REX_SERVER_WORKERS"},
			Usage: "embedded workers (0 for none: standalone rex-worker processes pull work)"},
		&cli.StringFlag{Name: "max-size", EnvVars: []string{"REX_SERVER_MAX_SIZE"},
			Usage: "bound on stored blob bytes, e.g. 10GiB (default: unbounded)"},
		&cli.StringFlag{Name: "sandbox", Value: "auto",
			Usage: "embedded workers' sandbox: auto (actions fail when it cannot be built), none (unisolated) or namespaces"},
		&cli.StringFlag{Name: "worker-cache-size", Value: "4GiB", EnvVars: []string{"REX_SERVER_WORKER_CACHE_SIZE"},
			Usage: "bound on the embedded workers' file cache, from which input roots are hard-linked"},
		&cli.StringSliceFlag{Name: "platform", Usage: "name=value platform property the embedded workers offer"},
		&cli.StringSliceFlag{Name: "instance-name",
			Usage: "an instance name this server serves (repeat for several); requests for others are refused (default: any)"},
		&cli.StringFlag{Name: "http", EnvVars: []string{"REX_SERVER_HTTP"},
			Usage: "serve Prometheus metrics (/metrics) and a status page (/) on this host:port"},
		&cli.StringFlag{Name: "log-format", Value: "text", EnvVars: []string{"REX_SERVER_LOG_FORMAT"},
			Usage: "text, or json: one JSON object per line (log/slog)"},
		&cli.StringFlag{Name: "tokens", EnvVars: []string{"REX_SERVER_TOKENS"},
			Usage: "file of \"TOKEN ROLE[,ROLE...]\" lines (roles: execute, cache-write, worker); re-read on SIGHUP"},
		&cli.BoolFlag{Name: "allow-cache-writes", EnvVars: []string{"REX_SERVER_ALLOW_CACHE_WRITES"},
			Usage: "without --tokens, let anyone call UpdateActionResult (trusted networks only)"},
		&cli.BoolFlag{Name: "insecure", EnvVars: []string{"REX_SERVER_INSECURE"},
			Usage: "listen on a non-loopback address without --tokens or --tls-client-ca"},
		&cli.StringFlag{Name: "tls-cert", EnvVars: []string{"REX_SERVER_TLS_CERT"}, Usage: "serve TLS with this certificate (PEM)"},
		&cli.StringFlag{Name: "tls-key", EnvVars: []string{"REX_SERVER_TLS_KEY"}, Usage: "private key of --tls-cert (PEM)"},
		&cli.StringFlag{Name: "tls-client-ca", EnvVars: []string{"REX_SERVER_TLS_CLIENT_CA"},
			Usage: "verify client certificates against this CA (mutual TLS); callers then need a certificate or a token"},
		&cli.StringFlag{Name: "client-cert-roles", Value: "execute", EnvVars: []string{"REX_SERVER_CLIENT_CERT_ROLES"},
			Usage: "roles of a verified client certificate whose CN has no cert:CN line in --tokens"},
		&cli.DurationFlag{Name: "shutdown-grace", Value: 5 * time.Second,
			Usage: "on SIGTERM, how long in-flight calls may finish before they are cut"},
	}, append(jailflags.Flags("REX_SERVER_"), limitFlags...)...)
}

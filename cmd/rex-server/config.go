package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/auth"
	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/cmd/internal/jailflags"
	"github.com/rexbuild/rex/cmd/internal/osfamily"
	"github.com/rexbuild/rex/worker"
)

type config struct {
	listen   string
	dir      string
	workers  int
	maxSize  int64
	sandbox  string
	platform map[string]string
	jail     worker.JailOptions
	limits   limitsConfig
	security security
	// shutdownGrace is how long in-flight calls get after SIGTERM.
	shutdownGrace time.Duration
	// http is where metrics and the status page are served ("": nowhere).
	http string
	// instances are the instance names served (empty: any).
	instances instanceNames
	// workerCache bounds the embedded workers' file cache.
	workerCache int64
}

// security is who may call the server and over what.
type security struct {
	tokensFile       string
	allowCacheWrites bool
	insecure         bool // allow a non-loopback listener without credentials
	tlsCert, tlsKey  string
	tlsClientCA      string
	certRoles        auth.Roles // of a verified client certificate without a cert: line
}

// required reports whether every caller must present a credential.
func (s security) required() bool { return s.tokensFile != "" || s.tlsClientCA != "" }

func configFrom(c *cli.Context) (config, error) {
	cfg := config{listen: c.String("listen"), dir: c.String("dir"), workers: c.Int("workers"), sandbox: c.String("sandbox"),
		shutdownGrace: c.Duration("shutdown-grace"), http: c.String("http"), instances: c.StringSlice("instance-name")}
	if cfg.workers < 0 {
		return cfg, fmt.Errorf("--workers %d: must be 0 or more", cfg.workers)
	}
	var err error
	if cfg.security, err = securityFrom(c); err != nil {
		return cfg, err
	}
	if cfg.jail, err = jailflags.Options(c); err != nil {
		return cfg, err
	}
	if cfg.maxSize, err = bytesize.Parse(c.String("max-size")); err != nil {
		return cfg, fmt.Errorf("--max-size: %w", err)
	}
	if cfg.workerCache, err = bytesize.Parse(c.String("worker-cache-size")); err != nil {
		return cfg, fmt.Errorf("--worker-cache-size: %w", err)
	}
	if cfg.limits, err = limitsFrom(c); err != nil {
		return cfg, err
	}
	for _, p := range c.StringSlice("platform") {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return cfg, fmt.Errorf("--platform %q: want name=value", p)
		}
		if cfg.platform == nil {
			cfg.platform = map[string]string{}
		}
		cfg.platform[name] = value
	}
	cfg.platform = osfamily.With(cfg.platform)
	return cfg, nil
}

func securityFrom(c *cli.Context) (security, error) {
	s := security{tokensFile: c.String("tokens"), allowCacheWrites: c.Bool("allow-cache-writes"), insecure: c.Bool("insecure"),
		tlsCert: c.String("tls-cert"), tlsKey: c.String("tls-key"), tlsClientCA: c.String("tls-client-ca")}
	var err error
	if s.certRoles, err = auth.ParseRoles(c.String("client-cert-roles")); err != nil {
		return s, fmt.Errorf("--client-cert-roles: %w", err)
	}
	switch {
	case (s.tlsCert == "") != (s.tlsKey == ""):
		return s, fmt.Errorf("--tls-cert and --tls-key go together")
	case s.tlsClientCA != "" && s.tlsCert == "":
		return s, fmt.Errorf("--tls-client-ca needs --tls-cert and --tls-key: client certificates are checked in the TLS handshake")
	case s.allowCacheWrites && s.required():
		return s, fmt.Errorf("--allow-cache-writes is for servers without credentials: with --tokens or --tls-client-ca, " +
			"give the writers the cache-write role instead")
	}
	return s, nil
}

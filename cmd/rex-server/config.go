package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/cmd/internal/bytesize"
	"github.com/rexbuild/rex/cmd/internal/jailflags"
	"github.com/rexbuild/rex/worker"
)

type config struct {
	listen   string
	dir      string
	workers  int
	maxSize  int64
	sandbox  string
	jail     worker.JailOptions
	platform map[string]string
}

func configFrom(c *cli.Context) (config, error) {
	cfg := config{listen: c.String("listen"), dir: c.String("dir"), workers: c.Int("workers"), sandbox: c.String("sandbox")}
	if cfg.workers < 0 {
		return cfg, fmt.Errorf("--workers %d: must be 0 or more", cfg.workers)
	}
	var err error
	if cfg.jail, err = jailflags.Options(c); err != nil {
		return cfg, err
	}
	if cfg.maxSize, err = bytesize.Parse(c.String("max-size")); err != nil {
		return cfg, fmt.Errorf("--max-size: %w", err)
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
	return cfg, nil
}

package main

import (
	"fmt"
	"log"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/cmd/internal/jailflags"
	"github.com/rexbuild/rex/cmd/internal/osfamily"
	"github.com/rexbuild/rex/worker"
)

// optionsFrom turns the flags into worker options.
func optionsFrom(c *cli.Context) (worker.Options, error) {
	platform, err := parsePlatform(c.StringSlice("platform"))
	if err != nil {
		return worker.Options{}, err
	}
	mode := worker.SandboxMode(c.String("sandbox"))
	switch mode {
	case worker.SandboxAuto, worker.SandboxNone, worker.SandboxNamespaces, worker.SandboxHermetic:
	default:
		return worker.Options{}, fmt.Errorf("--sandbox %q: want auto, none, namespaces or hermetic", mode)
	}
	if c.Int("concurrency") < 1 {
		return worker.Options{}, fmt.Errorf("--concurrency must be at least 1")
	}
	jail, err := jailflags.Options(c)
	if err != nil {
		return worker.Options{}, err
	}
	cacheBytes, err := bytesize.Parse(c.String("cache-size"))
	if err != nil {
		return worker.Options{}, fmt.Errorf("--cache-size: %w", err)
	}
	return worker.Options{
		ID:             c.String("id"),
		Dir:            c.String("dir"),
		Platform:       osfamily.With(platform),
		Concurrency:    c.Int("concurrency"),
		Sandbox:        mode,
		Jail:           jail,
		CacheBytes:     cacheBytes,
		MaxOutputBytes: c.Int64("max-output-bytes"),
		Spawner:        worker.SelfSpawner(),
		Logf:           log.New(c.App.ErrWriter, "", log.LstdFlags).Printf,
	}, nil
}

// parsePlatform reads name=value pairs.
func parsePlatform(pairs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--platform %q: want name=value", p)
		}
		m[name] = value
	}
	return m, nil
}

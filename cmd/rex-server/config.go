package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

type config struct {
	listen   string
	dir      string
	workers  int
	maxSize  int64
	sandbox  string
	platform map[string]string
	limits   limitsConfig
}

func configFrom(c *cli.Context) (config, error) {
	cfg := config{listen: c.String("listen"), dir: c.String("dir"), workers: c.Int("workers"), sandbox: c.String("sandbox")}
	if cfg.workers < 0 {
		return cfg, fmt.Errorf("--workers %d: must be 0 or more", cfg.workers)
	}
	var err error
	if cfg.maxSize, err = parseSize(c.String("max-size")); err != nil {
		return cfg, fmt.Errorf("--max-size: %w", err)
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
	return cfg, nil
}

// parseSize reads plain bytes or a number with a KiB/MiB/GiB/TiB suffix
// (KB/MB/GB/TB and K/M/G/T mean the same binary units). "" is 0: unbounded.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	units := []struct {
		suffixes []string
		mult     int64
	}{
		{[]string{"TiB", "TB", "T"}, 1 << 40},
		{[]string{"GiB", "GB", "G"}, 1 << 30},
		{[]string{"MiB", "MB", "M"}, 1 << 20},
		{[]string{"KiB", "KB", "K"}, 1 << 10},
		{[]string{"B", ""}, 1},
	}
	for _, u := range units {
		for _, suf := range u.suffixes {
			num, ok := strings.CutSuffix(s, suf)
			if !ok {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			if n > (1<<63-1)/u.mult {
				return 0, fmt.Errorf("size %q too large", s)
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("bad size %q", s)
}

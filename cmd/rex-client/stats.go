package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/stats"
)

func statsCommand() *cli.Command {
	return &cli.Command{
		Name:  "stats",
		Usage: "print the outcome counters of rex invocations (in --dir), or what one build did",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
			&cli.BoolFlag{Name: "zero", Usage: "reset the counters and the build log"},
			&cli.StringFlag{Name: "since", Usage: "report the compiles since TIME (RFC 3339, or a duration ago: 30m)"},
			&cli.StringFlag{Name: "build", Usage: "report the compiles run with REX_BUILD_ID=ID"},
			&cli.StringFlag{Name: "dir", EnvVars: []string{"REX_DIR"}, Usage: "client state (default $XDG_CACHE_HOME/rex)"},
		},
		Action: func(c *cli.Context) error {
			dir := stateDir(c)
			if c.Bool("zero") {
				return stats.Zero(dir)
			}
			if c.IsSet("since") || c.IsSet("build") {
				return buildReport(c, dir)
			}
			s, err := stats.Summarize(dir)
			if err != nil {
				return err
			}
			where := describeCaches(c, dir)
			if c.Bool("json") {
				return json.NewEncoder(os.Stdout).Encode(struct {
					stats.Summary
					caches
				}{s, where})
			}
			printSummary(os.Stdout, s)
			where.print(os.Stdout)
			return nil
		},
	}
}

func buildReport(c *cli.Context, dir string) error {
	f := stats.Filter{Build: c.String("build")}
	if since := c.String("since"); since != "" {
		t, err := parseSince(since, time.Now())
		if err != nil {
			return err
		}
		f.Since = t
	}
	r, err := stats.Report(dir, f)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	printReport(os.Stdout, r)
	return nil
}

// parseSince reads a time (RFC 3339, or a duration before now).
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want a time like 2026-12-05T10:00:00Z or a duration like 30m", s)
	}
	return t, nil
}

package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/stats"
)

func statsCommand() *cli.Command {
	return &cli.Command{
		Name:  "stats",
		Usage: "print the outcome counters of rex invocations (in --dir)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
			&cli.BoolFlag{Name: "zero", Usage: "reset the counters"},
			&cli.StringFlag{Name: "dir", EnvVars: []string{"REX_DIR"}, Usage: "client state (default $XDG_CACHE_HOME/rex)"},
		},
		Action: func(c *cli.Context) error {
			dir := stateDir(c)
			if c.Bool("zero") {
				return stats.Zero(dir)
			}
			counters, err := stats.Read(dir)
			if err != nil {
				return err
			}
			last, lastMismatch := stats.LastFallback(dir), stats.LastMismatch(dir)
			if c.Bool("json") {
				return json.NewEncoder(os.Stdout).Encode(struct {
					stats.Counters
					LastFallback string `json:"last_fallback,omitempty"`
					LastMismatch string `json:"last_mismatch,omitempty"`
				}{counters, last, lastMismatch})
			}
			fmt.Printf("cache hits         %d\n", counters.CacheHits)
			fmt.Printf("remote executions  %d\n", counters.RemoteExecutions)
			fmt.Printf("cache misses       %d (compiled locally, cache filled)\n", counters.CacheMisses)
			fmt.Printf("local runs         %d (not remotable)\n", counters.LocalRuns)
			fmt.Printf("local fallbacks    %d (remote failed)\n", counters.LocalFallbacks)
			fmt.Printf("verified           %d (compiled locally as well, compared)\n", counters.Verified)
			fmt.Printf("verify mismatches  %d\n", counters.VerifyMismatches)
			if last != "" {
				fmt.Printf("last fallback      %s\n", last)
			}
			if lastMismatch != "" {
				fmt.Printf("last mismatch      %s\n", lastMismatch)
			}
			return nil
		},
	}
}

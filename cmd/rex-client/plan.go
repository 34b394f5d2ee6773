package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/plan"
)

func planCommand() *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "predict a build's hits and misses from its compile_commands.json, without compiling",
		ArgsUsage: "compile_commands.json",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object, with every compile's prediction"},
			&cli.BoolFlag{Name: "list", Usage: "list every compile that would miss or run locally"},
			&cli.BoolFlag{Name: "prefetch", Usage: "keep every predicted hit in the local cache, so the build needs no server for it"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("plan: want the compilation database, like build/compile_commands.json")
			}
			cfg, err := wrapperConfig(c)
			if err != nil {
				return err
			}
			entries, err := plan.Load(c.Args().First())
			if err != nil {
				return err
			}
			ctx, stop := interruptible()
			defer stop()
			r, err := plan.Predict(ctx, cfg, entries, plan.Options{Env: os.Environ(), Prefetch: c.Bool("prefetch")})
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return json.NewEncoder(os.Stdout).Encode(r)
			}
			printPlan(os.Stdout, r, c.Bool("list"))
			return nil
		},
	}
}

func printPlan(w io.Writer, r plan.Report, list bool) {
	fmt.Fprintf(w, "compiles            %d\n", r.Compiles)
	fmt.Fprintf(w, "predicted hits      %d\n", r.Hits)
	fmt.Fprintf(w, "predicted misses    %d\n", r.Misses)
	printReasons(w, toInt64(r.Reasons["miss"]), int64(r.Misses))
	fmt.Fprintf(w, "local runs          %d (not remotable)\n", r.Local)
	printReasons(w, toInt64(r.Reasons["local"]), int64(r.Local))
	fmt.Fprintf(w, "predicted hit rate  %.1f %%\n", 100*r.HitRate)
	if r.Prefetched > 0 {
		fmt.Fprintf(w, "prefetched          %d (kept in the local cache)\n", r.Prefetched)
	}
	if !list {
		return
	}
	for _, e := range r.Entries {
		if e.Outcome != "hit" {
			fmt.Fprintf(w, "%-5s %s: %s\n", e.Outcome, e.File, e.Reason)
		}
	}
}

func toInt64(m map[string]int) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = int64(v)
	}
	return out
}

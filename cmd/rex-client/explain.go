package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/explain"
)

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "say how the last compile of OUTPUT ran, and on a miss what differs from its closest earlier key",
		ArgsUsage: "OUTPUT",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
			&cli.StringFlag{Name: "dir", EnvVars: []string{"REX_DIR"}, Usage: "client state (default $XDG_CACHE_HOME/rex)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("explain: want one output file, like build/foo.o")
			}
			e, err := explain.NewStore(stateDir(c)).Explain(c.Args().First())
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return json.NewEncoder(os.Stdout).Encode(e)
			}
			printExplanation(os.Stdout, e)
			return nil
		},
	}
}

func printExplanation(w io.Writer, e explain.Explanation) {
	fmt.Fprintf(w, "%s\n", e.Output)
	fmt.Fprintf(w, "  last compile  %s, %s, took %s\n", e.Time.Local().Format("2006-01-02 15:04:05"), e.Outcome, duration(e.WallMs))
	if e.Action != "" {
		fmt.Fprintf(w, "  action        %s\n", e.Action)
	}
	fmt.Fprintf(w, "  why           %s\n", e.Why)
	if e.Earlier != "" {
		fmt.Fprintf(w, "  compared with %s\n", e.Earlier)
	}
	for _, d := range e.Differences {
		fmt.Fprintf(w, "    %s\n", d)
	}
}

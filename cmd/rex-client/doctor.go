package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/doctor"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the configuration end to end: the server, its capabilities, credentials, platform, and a probe compile",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the findings as a JSON array"},
			&cli.StringFlag{Name: "compiler", Value: "gcc", Usage: "the compiler of the probe compile"},
		},
		Action: func(c *cli.Context) error {
			cfg, err := wrapperConfig(c)
			if err != nil {
				return err
			}
			ctx, stop := interruptible()
			defer stop()
			findings := doctor.Run(ctx, cfg, doctor.Options{Compiler: c.String("compiler"), Env: os.Environ()})
			if c.Bool("json") {
				json.NewEncoder(os.Stdout).Encode(findings)
			} else {
				fmt.Printf("rex doctor: server %s, instance %q, digest function %s\n",
					cfg.Client.Server, cfg.Client.Instance, c.String("digest-function"))
				printFindings(os.Stdout, findings)
			}
			if doctor.Failed(findings) {
				return cli.Exit("", 1)
			}
			return nil
		},
	}
}

func printFindings(w io.Writer, fs []doctor.Finding) {
	for _, f := range fs {
		fmt.Fprintf(w, "%-8s %-16s %s\n", f.Level, f.Check, f.Says)
		if f.Fix != "" {
			fmt.Fprintf(w, "%-8s %-16s fix: %s\n", "", "", f.Fix)
		}
	}
}

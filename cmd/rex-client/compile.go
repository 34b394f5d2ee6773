package main

import (
	"github.com/rexbuild/rex/explain"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
	"github.com/rexbuild/rex/wrapper"
)

func compile(c *cli.Context) error {
	argv := c.Args().Slice()
	if len(argv) == 0 {
		return cli.ShowAppHelp(c)
	}
	compilecmd.TuneGC()
	cfg, err := wrapperConfig(c)
	if err != nil {
		return err
	}
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	start := time.Now()
	ctx, stop := interruptible()
	call := inv(argv, dir)
	var early *explain.Pending
	cfg.OnKey = func(output string, key *explain.Key) {
		// The key's record is written while the compile runs.
		if early != nil {
			early.Wait()
		}
		if out := call.object(output); out != "" {
			early = explain.NewStore(cfg.StateDir).SaveKeyAsync(out, key)
		}
	}
	res := wrapper.Run(ctx, cfg, wrapper.Invocation{
		Argv: argv, Dir: dir, Env: os.Environ(), StderrIsTerminal: compilecmd.IsTerminal(os.Stderr),
	})
	stop()
	if res.Interrupted {
		// Nothing was written and nothing runs locally: the user stopped
		// the compile, and the outcome counters do not count it.
		dieBy(res.Reason)
	}
	report(c, cfg, call, res, early, time.Since(start))
	if res.RunLocal {
		compilecmd.ExecLocal(argv)
	}
	os.Stdout.Write(res.Stdout)
	os.Stderr.Write(res.Stderr)
	os.Exit(res.ExitCode)
	return nil
}

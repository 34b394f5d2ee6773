package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/wrapper"
)

func compile(c *cli.Context) error {
	argv := c.Args().Slice()
	if len(argv) == 0 {
		return cli.ShowAppHelp(c)
	}
	tuneCompileGC()
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
	res := wrapper.Run(ctx, cfg, wrapper.Invocation{
		Argv: argv, Dir: dir, Env: os.Environ(), StderrIsTerminal: isTerminal(os.Stderr),
	})
	stop()
	if res.Interrupted {
		// Nothing was written and nothing runs locally: the user stopped
		// the compile, and the outcome counters do not count it.
		dieBy(res.Reason)
	}
	report(c, cfg, inv(argv, dir), res, time.Since(start))
	if res.RunLocal {
		execLocal(argv)
	}
	os.Stdout.Write(res.Stdout)
	os.Stderr.Write(res.Stderr)
	os.Exit(res.ExitCode)
	return nil
}

// execLocal replaces rex with the real compiler: same argv, environment,
// stdio and exit status, as if rex had not been there.
func execLocal(argv []string) {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "rex: %s: command not found\n", argv[0])
		os.Exit(127)
	}
	err = syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "rex: exec %s: %v\n", path, err)
	os.Exit(127)
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/wrapper"
)

func compile(c *cli.Context) error {
	argv := c.Args().Slice()
	if len(argv) == 0 {
		return cli.ShowAppHelp(c)
	}
	cfg, err := wrapperConfig(c)
	if err != nil {
		return err
	}
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	// An interrupt reaches the compiler and the remote calls alike; rex
	// itself exits through the normal path so nothing is half-written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	res := wrapper.Run(ctx, cfg, wrapper.Invocation{Argv: argv, Dir: dir, Env: os.Environ()})
	stop()
	report(c, cfg, res)
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

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/stats"
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
	report(c, cfg.StateDir, res)
	if res.RunLocal {
		execLocal(argv)
	}
	os.Stdout.Write(res.Stdout)
	os.Stderr.Write(res.Stderr)
	os.Exit(res.ExitCode)
	return nil
}

// report records the outcome and says what a person should read: the
// --verbose line, or a fallback warning. The log file is opened only when
// there is something to say: most compiles say nothing.
func report(c *cli.Context, stateDir string, res wrapper.Result) {
	statsErr := stats.Record(stateDir, res.Outcome)
	if res.Outcome == stats.LocalFallback {
		stats.RecordFallback(stateDir, res.Reason)
	}
	verbose := c.Bool("verbose")
	if !verbose && res.Outcome != stats.LocalFallback {
		return
	}
	msgs, toTerminal := messages(c.String("log-file"))
	switch {
	case !toTerminal:
	case !verbose:
		warnOnce(msgs, stateDir, res.Reason)
	default:
		if statsErr != nil {
			fmt.Fprintf(msgs, "rex: stats: %v\n", statsErr)
		}
		if res.Reason != nil {
			fmt.Fprintf(msgs, "rex: %s: %v\n", res.Outcome, res.Reason)
		} else {
			fmt.Fprintf(msgs, "rex: %s (%s)\n", res.Outcome, res.Phases)
		}
	}
}

// warnQuiet is how long one fallback warning covers: a build whose server
// is down says so once, not once per file.
const warnQuiet = time.Minute

// warnOnce prints one line about a fallback unless another rex process did
// so within warnQuiet.
func warnOnce(w io.Writer, dir string, reason error) {
	marker := filepath.Join(dir, "last-warning")
	if st, err := os.Stat(marker); err == nil && time.Since(st.ModTime()) < warnQuiet {
		return
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(marker, nil, 0o644)
	now := time.Now()
	os.Chtimes(marker, now, now)
	fmt.Fprintf(w, "rex: remote compile failed, compiling locally (%v)\n", reason)
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

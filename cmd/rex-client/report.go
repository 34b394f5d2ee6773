package main

import (
	"fmt"
	"github.com/rexbuild/rex/explain"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/wrapper"
)

// report records the outcome and says what a person should know: with
// --verbose how the compile ran; else only a fallback (once a minute) and a
// verification mismatch (every one), and those only where a person reads
// them. The log file is opened only when there is something to say: most
// compiles say nothing.
func report(c *cli.Context, cfg wrapper.Config, call invocation, res wrapper.Result, early *explain.Pending, wall time.Duration) {
	output := call.object(res.Output)
	missed := remember(cfg.StateDir, output, res, early, wall)
	statsErr := stats.RecordEntry(cfg.StateDir, entry(c, output, res, wall, missed))
	if res.Outcome == stats.LocalFallback {
		stats.RecordFallback(cfg.StateDir, res.Reason)
	}
	mismatch := ""
	if res.Mismatch != "" {
		mismatch = fmt.Sprintf("verify: action %s (%s) differs from the local compile, which was served instead: %s",
			res.Action, res.Outcome, res.Mismatch)
		stats.RecordMismatch(cfg.StateDir, mismatch)
	}
	verbose := c.Bool("verbose")
	if !verbose && res.Outcome != stats.LocalFallback && mismatch == "" {
		return
	}
	msgs, toTerminal := compilecmd.Messages(c.String("log-file"))
	if mismatch != "" && toTerminal {
		fmt.Fprintf(msgs, "rex: %s\n", mismatch)
	}
	switch {
	case !toTerminal:
	case verbose:
		if statsErr != nil {
			fmt.Fprintf(msgs, "rex: stats: %v\n", statsErr)
		}
		fmt.Fprintf(msgs, "rex: %s\n", describe(res))
	case res.Outcome == stats.LocalFallback:
		compilecmd.WarnOnce(msgs, cfg.StateDir, fmt.Sprintf("rex: remote compile failed, compiling locally (%v)", res.Reason))
	}
}

func verdict(res wrapper.Result) stats.Verdict {
	switch {
	case res.Mismatch != "":
		return stats.Mismatch
	case res.Verified:
		return stats.Verified
	}
	return stats.NotVerified
}

// describe is the --verbose line: the outcome, and why or where the time went.
func describe(res wrapper.Result) string {
	what := res.Outcome.String()
	if res.Verified {
		what += ", verified locally"
	}
	switch {
	case res.Reason != nil:
		return fmt.Sprintf("%s: %v", what, res.Reason)
	case res.Action != "":
		return fmt.Sprintf("%s (action %s; %s)", what, res.Action, res.Phases)
	}
	return fmt.Sprintf("%s (%s)", what, res.Phases)
}

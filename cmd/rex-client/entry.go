package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
	"github.com/rexbuild/rex/explain"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/wrapper"
)

// invocation is the compile as the stats and the per-output records name it.
type invocation struct {
	argv []string
	dir  string
}

func inv(argv []string, dir string) invocation { return invocation{argv, dir} }

// object is the absolute path of the file the compile writes
// (compilecmd.Object).
func (i invocation) object(parsed string) string { return compilecmd.Object(i.argv, i.dir, parsed) }

// entry is the invocation as the counters and the build log record it.
// A miss counts under why it missed (missed, from the output's record).
func entry(c *cli.Context, output string, res wrapper.Result, wall time.Duration, missed string) stats.Entry {
	e := stats.Entry{
		Outcome: res.Outcome, Verdict: verdict(res), Output: output, Build: c.String("build-id"),
		Wall: wall, Sent: res.BytesSent, Received: res.BytesReceived,
	}
	switch {
	case res.Reason != nil:
		e.Reason = res.Reason.Error()
	case res.Outcome == stats.RemoteExecution || res.Outcome == stats.CacheMiss:
		e.Reason = missed
	}
	if res.Outcome.IsHit() && res.CompileTime > 0 {
		e.Saved = res.CompileTime - wall
	}
	return e
}

// remember keeps the output's record for `rex explain`: how this compile
// ran, and its key when it planned an action (early: being recorded
// already); it returns why a miss missed. A failure to write it costs an
// explanation, never the compile.
func remember(stateDir, output string, res wrapper.Result, early *explain.Pending, wall time.Duration) (missed string) {
	if output == "" {
		return ""
	}
	store := explain.NewStore(stateDir)
	run := explain.Run{
		Output: output, Time: time.Now().UTC(), Outcome: res.Outcome.Key(), WallMs: wall.Milliseconds(),
	}
	if res.Reason != nil {
		run.Reason = res.Reason.Error()
	}
	switch {
	case res.Key != nil:
		run.Action = res.Key.Action
	case res.Action != "":
		// A direct-mode hit planned nothing: its record named the action.
		run.Action = res.Action
	}
	if early != nil {
		missed, run.Seen, _ = early.Wait()
		if early.Key == res.Key {
			store.SaveRun(run)
			return missed
		}
	}
	missed, _ = store.Save(run, res.Key)
	return missed
}

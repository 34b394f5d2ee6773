package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/explain"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/localhit"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// recordsBound is rex-client's bound of the local cache when it keeps
// records only; the front end serves results, so the cache's bound is
// the configured size or this, whichever is larger, as there.
const recordsBound = 256 << 20

// serve runs argv when the front end can: a compile rex would run locally
// (not remotable), or one whose direct-mode record holds and whose result
// the local cache keeps or the server serves inline (see remote.go). It
// does not return then. It returns false, having written nothing, for
// rex-client to take the compile.
func serve(cfg config, argv []string, start time.Time) bool {
	dir, err := os.Getwd()
	if err != nil {
		return false
	}
	p := remotable(cfg, argv, dir, start)
	steps := stats.NewPhases()
	cache := localcache.Open(filepath.Join(cfg.stateDir, "cache"), max(cfg.cacheSize, recordsBound))
	rec := record(cfg, argv, dir, p, cache, steps)
	if rec == nil {
		return false
	}
	var results *localcache.Store
	if cfg.cacheSize > 0 {
		results = cache
		if res, ok := localhit.Serve(results, dir, rec); ok {
			steps.Mark("outputs")
			served(cfg, argv, dir, p.Output, rec, servedHit{Result: res}, stats.LocalCacheHit, steps, start)
		}
	}
	if hit, ok := serveRemote(cfg, dir, rec, results, steps); ok {
		served(cfg, argv, dir, p.Output, rec, hit, stats.CacheHit, steps, start)
	}
	rec.Discard()
	return false
}

// remotable parses argv and runs it locally, as rex-client would, unless
// it is a compile rex can run elsewhere.
func remotable(cfg config, argv []string, dir string, start time.Time) *compiler.Invocation {
	// runLocal does not return: the compiler replaces rex.
	p, err := compiler.Parse(argv, dir)
	switch {
	case err != nil:
		runLocal(cfg, argv, dir, "", err.Error(), start)
	case !p.Remotable:
		runLocal(cfg, argv, dir, "", p.Reason, start)
	}
	if why := localhit.UnwritableOutput(dir, p); why != "" {
		runLocal(cfg, argv, dir, p.Output, why, start)
	}
	if why := localhit.UncleanDir(dir); why != "" {
		runLocal(cfg, argv, dir, p.Output, why, start)
	}
	return p
}

// record returns the action p's direct-mode record leads to while its
// facts hold (localhit.Lookup), or nil.
func record(cfg config, argv []string, dir string, p *compiler.Invocation, cache *localcache.Store, steps *stats.Phases) *localhit.Recorded {
	environ := os.Environ()
	env := localhit.EnvMap(environ)
	if localhit.EnvRunsLocally(env) != "" {
		return nil
	}
	tc, err := toolchain.Load(context.Background(), cfg.stateDir, p.Args[0], dir, environ)
	if err != nil || localhit.ToolchainRunsLocally(tc, env, dir, p.Args) != "" {
		return nil
	}
	steps.Mark("toolchain")
	key := localhit.Context{
		Identity: tc.Identity, Compiler: tc.Path, Dir: dir,
		ProjectRoot: cfg.projectRoot, Function: cfg.function, CacheOnly: cfg.cacheOnly,
		Args: p.Args, Argv: localhit.ColorArgv(argv, compilecmd.IsTerminal(os.Stderr), env, p),
		Platform: cfg.platform, Env: env,
	}.Key()
	rec := localhit.Lookup(cache, key, dir)
	if rec != nil {
		steps.Mark("direct")
	}
	return rec
}

// served records a hit, from the local cache or the server's, and replays
// its streams and exit status. It does not return.
func served(cfg config, argv []string, dir, object string, rec *localhit.Recorded, hit servedHit, outcome stats.Outcome, steps *stats.Phases, start time.Time) {
	wall := time.Since(start)
	output := compilecmd.Object(argv, dir, object)
	e := stats.Entry{Outcome: outcome, Verdict: stats.NotVerified, Output: output, Build: cfg.buildID, Wall: wall,
		Sent: hit.sent, Received: hit.received}
	if hit.CompileTime > 0 {
		e.Saved = hit.CompileTime - wall
	}
	remember(cfg, explain.Run{Output: output, Outcome: outcome.Key(), Action: rec.Action.String()}, wall)
	err := stats.RecordEntry(cfg.stateDir, e)
	say(cfg, err, fmt.Sprintf("%s (action %s; %s)", outcome, rec.Action, steps))
	os.Stdout.Write(hit.Stdout)
	os.Stderr.Write(hit.Stderr)
	os.Exit(0)
}

// runLocal records a compile that runs locally, and why, and replaces rex
// with the compiler, as rex-client would have.
func runLocal(cfg config, argv []string, dir, object, why string, start time.Time) {
	wall := time.Since(start)
	output := compilecmd.Object(argv, dir, object)
	remember(cfg, explain.Run{Output: output, Outcome: stats.LocalRun.Key(), Reason: why}, wall)
	err := stats.RecordEntry(cfg.stateDir, stats.Entry{Outcome: stats.LocalRun, Verdict: stats.NotVerified,
		Reason: why, Output: output, Build: cfg.buildID, Wall: wall})
	say(cfg, err, fmt.Sprintf("%s: %s", stats.LocalRun, why))
	compilecmd.ExecLocal(argv)
}

// remember keeps the output's record for `rex explain`. A failure to
// write it costs an explanation, never the compile.
func remember(cfg config, run explain.Run, wall time.Duration) {
	if run.Output == "" {
		return
	}
	run.Time, run.WallMs = time.Now().UTC(), wall.Milliseconds()
	explain.NewStore(cfg.stateDir).Save(run, nil)
}

// say writes rex-client's --verbose line for a compile the front end ran,
// where a person reads rex's lines (compilecmd.Messages).
func say(cfg config, statsErr error, line string) {
	if !cfg.verbose {
		return
	}
	w, toTerminal := compilecmd.Messages(cfg.logFile)
	if !toTerminal {
		return
	}
	if statsErr != nil {
		fmt.Fprintf(w, "rex: stats: %v\n", statsErr)
	}
	fmt.Fprintf(w, "rex: %s\n", line)
}

// Package wrapper decides how one compiler invocation runs: from the remote
// cache, by remote execution, or locally; and for remote outcomes it builds
// the Action, talks to the server and materialises the outputs exactly as a
// local compile would have left them.
package wrapper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/explain"
	"github.com/rexbuild/rex/localhit"
	"github.com/rexbuild/rex/stats"
)

// Config is the validated configuration of one rex invocation.
type Config struct {
	Client client.Config
	// ProjectRoot bounds what is uploaded; empty means the cwd's git top
	// level, else the cwd.
	ProjectRoot string
	// CacheOnly compiles locally and reads and fills the remote cache.
	CacheOnly bool
	// Hermetic sends the toolchain in the input root, for workers that run
	// actions with the input root as "/" (see hermetic.go).
	Hermetic bool
	// StateDir holds client state (compiler identities).
	StateDir string
	// Platform properties sent with every action.
	Platform map[string]string
	// VerifyRate is the share of remote outcomes (0 to 1) that are compiled
	// locally as well and compared; the local outputs are then served.
	VerifyRate float64
	// ServerImplicit says the server is the default one, not configured:
	// when nothing answers there, rex is a local compiler cache (misses
	// compile locally and fill the local cache) rather than a client whose
	// server is down.
	ServerImplicit bool
	// Direct skips the dependency scan of a compile whose record says
	// nothing it depends on changed (see direct.go).
	Direct bool
	// LocalCacheSize bounds the local result cache under StateDir; 0 turns
	// it off (direct mode then keeps only its records there).
	LocalCacheSize int64
	// OnKey, when set, is told the key of the action a compile planned
	// (Result.Key) and its output (as Result.Output), as soon as they are
	// known: the caller can record the key while the compile goes on.
	OnKey func(output string, key *explain.Key)
}

// direct says whether compiles may use direct-mode records. A hermetic
// action's identity is its captured toolchain, libraries and all, which a
// record's context does not state yet: hermetic compiles always scan.
func (cfg Config) direct() bool { return cfg.Direct && !cfg.Hermetic }

// Invocation is the compiler command as the user ran it.
type Invocation struct {
	Argv []string
	Dir  string   // working directory
	Env  []string // the user's environment, as os.Environ
	// StderrIsTerminal says whether rex's stderr is a terminal: the
	// compiler, run locally there, would colour its diagnostics.
	StderrIsTerminal bool
}

// Result says how an invocation ended. When RunLocal is set the caller runs
// the real compiler itself, untouched; otherwise Stdout, Stderr and
// ExitCode are to be replayed.
type Result struct {
	Outcome  stats.Outcome
	RunLocal bool
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	// Reason says why the compile ran locally (LocalRun) or why the remote
	// path failed (LocalFallback).
	Reason error
	// Output is the object a remotable compile writes, as compiler.Parse
	// names it (relative to the invocation's directory, or absolute); ""
	// when the arguments did not parse as a remotable compile.
	Output string
	// Phases says where the time went, for --verbose.
	Phases string
	// Action is the action digest of a remote outcome, for the log.
	Action string
	// Verified is set when the remote outcome was compiled locally as well
	// and compared; Mismatch then says what differed, or is "".
	Verified bool
	Mismatch string
	// Key describes what the action digest covers, for `rex explain`; nil
	// when no action was planned.
	Key *explain.Key
	// CompileTime is what the compile cost where it ran: the worker's time
	// for a remote or cached result, the local compile's for a cache-only
	// miss; 0 when unknown.
	CompileTime time.Duration
	// BytesSent and BytesReceived are what the compile's RPCs carried.
	BytesSent, BytesReceived int64
	// Interrupted is set when ctx ended (rex got SIGINT or SIGTERM) before
	// the compile did: the caller stops, runs nothing locally, and
	// reports the signal. No output was written.
	Interrupted bool
}

// errLocal marks a compile that is valid but that rex cannot model remotely
// (an input outside the project root, an output that escapes it...).
var errLocal = errors.New("not remotable")

func localf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errLocal, fmt.Sprintf(format, args...))
}

// Run handles one invocation. When the compile must run locally it says so
// (RunLocal) rather than running it: the caller does, with the user's stdio,
// so that nothing about a local compile changes.
func Run(ctx context.Context, cfg Config, inv Invocation) Result {
	parsed, err := compiler.Parse(inv.Argv, inv.Dir)
	if err != nil {
		return Result{Outcome: stats.LocalRun, RunLocal: true, Reason: err}
	}
	if !parsed.Remotable {
		return Result{Outcome: stats.LocalRun, RunLocal: true, Reason: errors.New(parsed.Reason)}
	}
	res := runParsed(ctx, cfg, inv, parsed)
	res.Output = parsed.Output
	return res
}

// runParsed handles a remotable invocation.
func runParsed(ctx context.Context, cfg Config, inv Invocation, parsed *compiler.Invocation) Result {
	if why := unwritableOutput(inv.Dir, parsed); why != "" {
		return Result{Outcome: stats.LocalRun, RunLocal: true, Reason: errors.New(why)}
	}
	if why := localhit.UncleanDir(inv.Dir); why != "" {
		return Result{Outcome: stats.LocalRun, RunLocal: true, Reason: errors.New(why)}
	}
	inv = askColor(inv, parsed)
	traffic := &client.Traffic{}
	cfg.Client.Traffic = traffic
	res, err := runRemote(ctx, cfg, inv, parsed)
	res.BytesSent, res.BytesReceived = traffic.Sent(), traffic.Received()
	if ctx.Err() != nil {
		// A cancelled call is not a remote failure: falling back would
		// start the compile the user just stopped.
		return Result{Interrupted: true, Reason: context.Cause(ctx)}
	}
	switch {
	case errors.Is(err, errLocal):
		return Result{Outcome: stats.LocalRun, RunLocal: true, Reason: err}
	case err != nil:
		return Result{Outcome: stats.LocalFallback, RunLocal: true, Reason: explainRefusal(err),
			Key: res.Key, BytesSent: res.BytesSent, BytesReceived: res.BytesReceived}
	}
	return res
}

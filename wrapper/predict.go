package wrapper

import (
	"context"
	"errors"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// Prediction is what Run would do with an invocation, found without
// compiling or asking the server.
type Prediction struct {
	// Action is the digest the cache lookup would use; zero when the
	// compile would run locally.
	Action digest.Digest
	Key    *Key
	// Outputs are the files a cached result must hold to be a hit,
	// relative to the working directory.
	Outputs []string
	// Local says why the compile would run locally; nil when it would ask
	// the cache.
	Local error
}

// Predict plans inv's compile as Run does (parse, dependency scan, key)
// and returns its action digest under fn, the server's digest function.
// It writes nothing: the dependency file the scan wrote aside is removed.
// An output directory that does not exist yet is no reason to run
// locally here: the build that follows creates it.
func Predict(ctx context.Context, cfg Config, inv Invocation, fn digest.Function) Prediction {
	parsed, err := compiler.Parse(inv.Argv, inv.Dir)
	if err != nil {
		return Prediction{Local: err}
	}
	if !parsed.Remotable {
		return Prediction{Local: errors.New(parsed.Reason)}
	}
	if err := envRunsLocally(envMap(inv.Env)); err != nil {
		return Prediction{Local: err}
	}
	tc, err := toolchain.Load(ctx, cfg.StateDir, parsed.Args[0], inv.Dir, inv.Env)
	if err != nil {
		return Prediction{Local: localf("%v", err)}
	}
	cfg.Direct = false // a prediction records nothing
	plan, err := planAction(ctx, cfg, inv, parsed, tc, fn, newPhases())
	if err != nil {
		return Prediction{Local: err}
	}
	plan.discard()
	return Prediction{Action: plan.actionDigest, Key: plan.key, Outputs: plan.outputs}
}

package wrapper

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/explain"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/localhit"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// Prediction is what Run would do with an invocation, found without
// compiling or asking the server.
type Prediction struct {
	// Action is the digest the cache lookup would use; zero when the
	// compile would run locally.
	Action digest.Digest
	// Key describes what Action covers; nil when a direct-mode record
	// gave the action without a scan.
	Key *explain.Key
	// Outputs are the files a cached result must hold to be a hit,
	// relative to the working directory.
	Outputs []string
	// LocalHit says the local cache holds the result: the compile would
	// not ask the server.
	LocalHit bool
	// Local says why the compile would run locally; nil when it would ask
	// the cache.
	Local error

	plan *actionPlan
	dir  string // the compile's directory
}

// Predict plans inv's compile as Run does (parse, then a direct-mode record
// or the dependency scan, key) and returns its action digest under fn, the
// server's digest function. It writes nothing in the build tree: the
// dependency file a scan wrote aside is removed. An output directory that
// does not exist yet is no reason to run locally here: the build that
// follows creates it.
func Predict(ctx context.Context, cfg Config, inv Invocation, fn digest.Function) Prediction {
	parsed, err := compiler.Parse(inv.Argv, inv.Dir)
	if err != nil {
		return Prediction{Local: err}
	}
	if !parsed.Remotable {
		return Prediction{Local: errors.New(parsed.Reason)}
	}
	// What keeps a compile local at run time, but for an output directory
	// the build has not made yet.
	for _, why := range []string{localhit.OutputWrittenThrough(inv.Dir, parsed), localhit.UncleanDir(inv.Dir)} {
		if why != "" {
			return Prediction{Local: errors.New(why)}
		}
	}
	env := envMap(inv.Env)
	if err := envRunsLocally(env); err != nil {
		return Prediction{Local: err}
	}
	tc, err := toolchain.Load(ctx, cfg.StateDir, parsed.Args[0], inv.Dir, inv.Env)
	if err != nil {
		return Prediction{Local: localf("%v", err)}
	}
	if err := toolchainRunsLocally(tc, env, inv.Dir, parsed.Args); err != nil {
		return Prediction{Local: err}
	}
	cache, results := openLocalCache(cfg, false)
	if cfg.direct() {
		key := directContext(cfg, inv, parsed.Args, tc, env)
		if plan := directPlan(cache, key, inv.Dir); plan != nil && plan.function == fn.Name() {
			plan.discard()
			return predicted(plan, results, inv.Dir)
		}
	}
	cfg.Direct = false // a prediction records nothing
	plan, err := planAction(ctx, cfg, inv, parsed, tc, fn, stats.NewPhases())
	if err != nil {
		return Prediction{Local: err}
	}
	plan.discard()
	return predicted(plan, results, inv.Dir)
}

func predicted(plan *actionPlan, results *localcache.Store, dir string) Prediction {
	_, local := results.Get(localcache.Results, localKey(plan))
	return Prediction{Action: plan.actionDigest, Key: plan.key, Outputs: plan.outputs, LocalHit: local, plan: plan, dir: dir}
}

// Prefetch keeps a predicted compile's cached result r in the local cache,
// as the compile would have served it, without touching the build tree:
// the build that follows hits locally.
func Prefetch(ctx context.Context, cfg Config, c *client.Client, pred Prediction, r *repb.ActionResult) error {
	plan := pred.plan
	_, cache := openLocalCache(cfg, false)
	if cache == nil || plan == nil || pred.LocalHit || r == nil || r.GetExitCode() != 0 || !complete(r, plan) {
		return nil
	}
	tmp, err := os.MkdirTemp(cfg.StateDir, ".prefetch-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// The outputs land under tmp as under the compile's directory.
	for _, out := range plan.outputs {
		if strings.HasPrefix(out, "../") || filepath.IsAbs(out) {
			return nil
		}
		os.MkdirAll(filepath.Join(tmp, filepath.Dir(out)), 0o755)
	}
	// A result the compile itself would refuse, or not keep, is not kept.
	if beyond, err := checkWorkerLookups(pred.dir, plan, r); err != nil || beyond {
		return nil
	}
	stdout, stderr, err := remoteStreams(ctx, c, plan, r)
	if err != nil {
		return err
	}
	if err := writeOutputs(ctx, c, tmp, plan, r); err != nil {
		return fmt.Errorf("prefetch %s: %w", plan.actionDigest, err)
	}
	return keepLocal(cache, tmp, plan, Result{Stdout: stdout, Stderr: stderr})
}

package wrapper

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/localhit"
	"github.com/rexbuild/rex/stats"
)

// The local cache keeps each successful compile's result as rex served
// it (package localhit serves it): stdout, stderr and outputs with the
// local root in place.

// serveLocal writes plan's outputs from the local cache. ok is false on a
// miss, and nothing was written.
func serveLocal(cache *localcache.Store, dir string, plan *actionPlan) (Result, bool) {
	r, ok := localhit.Serve(cache, dir, plan.recorded())
	if !ok {
		return Result{}, false
	}
	return Result{Outcome: stats.LocalCacheHit, Stdout: r.Stdout, Stderr: r.Stderr, CompileTime: r.CompileTime}, true
}

// recorded is plan as a record would name it.
func (plan *actionPlan) recorded() *localhit.Recorded {
	return &localhit.Recorded{
		Replay: localhit.Replay{Function: plan.function, Outputs: plan.outputs, Object: plan.object,
			DepFile: plan.depFile, PathOutputs: plan.pathOutputs, Portable: plan.portable, LocalRoot: plan.localRoot},
		Action: plan.actionDigest, DepTemp: plan.depTemp,
	}
}

// keepLocal stores a successful compile's outputs, now in place under dir,
// and its streams as plan's local result (localhit.Keep). Failing costs a
// later miss only.
func keepLocal(cache *localcache.Store, dir string, plan *actionPlan, res Result) error {
	if cache == nil || res.ExitCode != 0 || plan.workerBeyond {
		return nil
	}
	r := localhit.Result{Stdout: res.Stdout, Stderr: res.Stderr, CompileTime: res.CompileTime}
	for _, out := range plan.outputs {
		st, err := os.Stat(filepath.Join(dir, out))
		if err != nil {
			return fmt.Errorf("output %s: %w", out, err)
		}
		r.Files = append(r.Files, localhit.OutputFile{Path: out, Executable: st.Mode()&0o100 != 0})
	}
	return localhit.Keep(cache, dir, localKey(plan), r)
}

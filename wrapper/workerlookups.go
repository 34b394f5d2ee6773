package wrapper

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/lookups/accountmeta"
)

// A worker has only the files the key covers. Where its compiler took a
// branch the scan did not (a _Pragma in text, a pasted __has_include) and
// looked there for a header this machine holds, the worker found none, or
// went on to one of that name in a later directory: a result no local
// compile gives. rex's worker says what its compiler looked up (see
// package accountmeta), and a result is served only when every place
// the worker looked in vain, and the scan never looked, holds nothing here
// either, and the worker read nothing outside its input root that the scan
// did not. Results of other servers' workers carry no account; they are
// served on the scan alone, as before.

// checkWorkerLookups holds r's account, if any, against this machine's
// files. beyond says the worker looked in vain where the scan never looked
// (and no file is there now): the result is right for now, but a file
// that appears there later would go unseen by the key, so the result is
// neither kept in the local cache nor recorded for direct mode, and every
// later compile scans and checks the server's result again. A directory
// where the worker found nothing is no difference: the compiler searches
// on past either. A direct-mode record's plan has no scan to compare with:
// its record was written only for a result with nothing beyond its scan,
// so only what is here now is checked.
func checkWorkerLookups(dir string, plan *actionPlan, r *repb.ActionResult) (beyond bool, err error) {
	told, ok, err := accountmeta.Find(r.GetExecutionMetadata().GetAuxiliaryMetadata())
	if err != nil {
		return false, fmt.Errorf("the server's result: %w", err)
	}
	if !ok || plan.hermetic {
		return false, nil
	}
	if told.Unresolved > 0 {
		return false, localf("the worker's compiler looked up %d files relative to a directory it could not name", told.Unresolved)
	}
	root := plan.localRoot
	if root == "" {
		root = "/"
	}
	here := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(root, p)
	}
	// What the scan found (true) and looked for in vain (false).
	scanned := map[string]bool{}
	if plan.scanLookups.Observed {
		for _, list := range [][]string{plan.scanLookups.Missing, plan.scanLookups.Dirs} {
			for _, p := range absolute(dir, list) {
				scanned[filepath.Clean(p)] = false
			}
		}
		for _, p := range absolute(dir, plan.scanLookups.Found) {
			scanned[filepath.Clean(p)] = true
		}
		for _, f := range plan.inputs.system {
			scanned[f.path] = true
		}
	}
	for _, p := range told.Found {
		switch {
		case !filepath.IsAbs(p) && !strings.HasPrefix(p, "../"):
			// In the input root: a keyed file.
		case !filepath.IsAbs(p):
			return false, localf("the worker's compiler read %s, outside its input root", p)
		case plan.scanLookups.Observed && !scanned[filepath.Clean(p)]:
			return false, localf("the worker's compiler read %s, which the scan did not find", p)
		}
	}
	for _, p := range told.Missing {
		local := here(p)
		found, looked := scanned[local]
		switch {
		case strings.HasSuffix(p, ".gch"):
			continue
		case found:
			// A toolchain's header the worker's host lacks.
			return false, localf("the worker's compiler looked for %s, which it lacked and the scan found", local)
		case looked:
			continue
		}
		if st, err := os.Stat(local); err == nil && !st.IsDir() {
			return false, localf("the worker's compiler looked for %s, which it lacked, this machine holds, and the scan did not look for", local)
		}
		beyond = beyond || !plan.fromRecord
	}
	return beyond, nil
}

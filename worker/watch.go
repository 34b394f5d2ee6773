package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/rexbuild/rex/lookups"
)

// A compile on a worker has only the files its key covers. Where its
// compiler looks for a file the client's dependency scan never looked for
// (a branch the scan did not take), the worker answers "absent" where the
// client may hold that file: the result would differ from a local compile.
// So the worker watches a compile's lookups with the library rex preloads
// into its own scans (package lookups) and returns the account with the
// result; the client holds it against its own files (see the wrapper).

// driverName matches the C and C++ drivers the library is built for.
var driverName = regexp.MustCompile(`^([\w.+-]+-)?(gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(-[0-9.]+)?$`)

// watcher builds the library once per compiler driver and hands it to
// the compiles that driver runs.
type watcher struct {
	dir  string // where libraries are built and kept
	mu   sync.Mutex
	libs map[string]*lookups.Library // by driver identity; nil: it cannot serve
}

func newWatcher(dir string) *watcher {
	return &watcher{dir: dir, libs: map[string]*lookups.Library{}}
}

// handFor returns the library handed over for spec's command, or nil when
// it is not watched: a command that is no compile by a trusted driver, a
// hermetic one (its paths are its root's), or one that preloads a library
// of its own.
func (w *watcher) handFor(ctx context.Context, spec execSpec) *lookups.Handover {
	if w == nil || spec.Hermetic || spec.Driver == "" {
		return nil
	}
	for _, kv := range spec.Env {
		if strings.HasPrefix(kv, "LD_PRELOAD=") || strings.HasPrefix(kv, "REX_LOOKUPS_FD=") {
			return nil
		}
	}
	id, ok := trustedDriver(spec.Driver, spec.Hide)
	if !ok {
		return nil
	}
	lib := w.library(ctx, spec.Driver, id)
	if lib == nil {
		return nil
	}
	h, err := lib.Hand(3)
	if err != nil {
		return nil
	}
	return h
}

// driverOf returns the compiler driver args run, resolved, or "": args[0]
// itself (resolved already), or the compiler of rex's portable script
// (wrapper/remotecmd.go), a line of its own that ends in its stderr's
// redirection. searchPath resolves a bare name, as for args[0].
func driverOf(args []string, dir, searchPath string) string {
	if driverName.MatchString(filepath.Base(args[0])) {
		return args[0]
	}
	if len(args) != 3 || filepath.Base(args[0]) != "sh" || args[1] != "-c" || !strings.HasPrefix(args[2], "R=$(cd ") {
		return ""
	}
	for _, line := range strings.Split(args[2], "\n") {
		rest, ok := strings.CutSuffix(line, ` 2>"$e"`)
		if !ok {
			continue
		}
		// The compiler is quoted as one word: '...', with no quote in it
		// (a compiler in the input root would be "$R"'...': not trusted).
		if !strings.HasPrefix(rest, "'") {
			return ""
		}
		word, _, ok := strings.Cut(rest[1:], "'")
		if !ok || !driverName.MatchString(filepath.Base(word)) {
			return ""
		}
		prog, err := resolveProgram(word, dir, searchPath)
		if err != nil {
			return ""
		}
		return prog
	}
	return ""
}

// library returns the library for driver, building it on first use. The
// driver runs outside the sandbox to build it, with the worker's own
// environment: never the action's, which could point it at programs of its
// own.
func (w *watcher) library(ctx context.Context, driver, id string) *lookups.Library {
	w.mu.Lock()
	defer w.mu.Unlock()
	if lib, ok := w.libs[id]; ok {
		return lib
	}
	lib := lookups.Prepare(ctx, w.dir, driver, id, os.Environ())
	if ctx.Err() == nil {
		w.libs[id] = lib
	}
	return lib
}

// trustedDriver says whether the worker may run driver outside the
// sandbox: a host file owned by root or the worker's user, which no one
// else may write, outside the worker's directory (where actions are
// staged). id names it with its size and time, so that an upgraded
// compiler gets a new library.
func trustedDriver(driver, workerDir string) (id string, ok bool) {
	real, err := filepath.EvalSymlinks(driver)
	if err != nil || workerDir == "" || strings.HasPrefix(real+"/", filepath.Clean(workerDir)+"/") {
		return "", false
	}
	st, err := os.Stat(real)
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o022 != 0 {
		return "", false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || sys.Uid != 0 && int(sys.Uid) != os.Getuid() {
		return "", false
	}
	return fmt.Sprintf("%s\x00%d\x00%d", real, st.Size(), st.ModTime().UnixNano()), true
}

// account reads what the library wrote for spec's command: paths relative
// to the input root as the command saw it. The outputs are left out: a
// compiler may look at one before it writes it (clang writes a temporary
// file and renames it).
func account(h *lookups.Handover, spec execSpec, outs []output) (lookups.Account, bool) {
	b, err := h.Records()
	if err != nil || len(b) == 0 {
		return lookups.Account{}, false
	}
	dir, root := spec.Dir, spec.Root
	if spec.Jail != nil {
		dir, root = inJail(spec.Root, spec.Dir), jailActionDir
	}
	a, err := lookups.AccountOf(b, dir, root)
	if err != nil {
		return lookups.Account{}, false
	}
	output := func(p string) bool {
		return slices.ContainsFunc(outs, func(o output) bool { return o.rel == p })
	}
	a.Missing = slices.DeleteFunc(a.Missing, output)
	return a, true
}

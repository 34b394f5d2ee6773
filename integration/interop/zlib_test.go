package interop

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// zlibSource fetches zlib (Debian source) once through scripts/corpus/fetch.
func zlibSource(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(testenv.RepoRoot(), "scripts", "corpus", "fetch"), "zlib")
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot fetch the zlib sources (scripts/corpus/fetch zlib): %v", err)
	}
	return strings.TrimSpace(string(out))
}

// buildRoot is one fixed absolute path every zlib build of this process
// happens in, so objects can be compared byte for byte whatever ends up
// embedded in them.
var (
	buildRootOnce sync.Once
	buildRoot     string
)

func zlibDir(t *testing.T) string {
	buildRootOnce.Do(func() {
		d, err := os.MkdirTemp("", "rex-interop-")
		if err != nil {
			t.Fatal(err)
		}
		buildRoot = d
	})
	return filepath.Join(buildRoot, "zlib")
}

// rexStats are the counters of `rex stats --json`.
type rexStats struct {
	CacheHits        int64 `json:"cache_hits"`
	RemoteExecutions int64 `json:"remote_executions"`
	CacheMisses      int64 `json:"cache_misses"`
	LocalRuns        int64 `json:"local_runs"`
	LocalFallbacks   int64 `json:"local_fallbacks"`
}

// remotable is every invocation that went to the remote side in some way.
func (s rexStats) remotable() int64 {
	return s.CacheHits + s.RemoteExecutions + s.CacheMisses + s.LocalFallbacks
}

// zlibBuild is the result of one configure + make of zlib.
type zlibBuild struct {
	objects map[string]digest.Digest // *.o and *.lo, by path under the tree
	stats   rexStats                 // zero for a plain local build
	log     string
}

// buildZlib copies the pristine sources to the fixed build path and runs
// ./configure and make there with CC=cc (a word list, e.g. "rex gcc") and
// the extra environment; a REX_DIR in env gets its stats read afterwards.
func buildZlib(t *testing.T, cc string, env ...string) zlibBuild {
	t.Helper()
	src, dir := zlibSource(t), zlibDir(t)
	os.RemoveAll(dir)
	if out, err := exec.Command("cp", "-a", src, dir).CombinedOutput(); err != nil {
		t.Fatalf("copy zlib: %v\n%s", err, out)
	}
	fullEnv := append(cleanEnv(), "CC="+cc)
	fullEnv = append(fullEnv, env...)
	stateDir := envValue(env, "REX_DIR")
	var log strings.Builder
	for _, argv := range [][]string{{"./configure"}, {"make", "-j2"}} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir, cmd.Env = dir, fullEnv
		if argv[0] == "make" && stateDir != "" {
			// How each compile ran, for failure reports. Not during configure:
			// zlib's configure decides features by whether the compiler printed
			// anything, so rex's messages on stderr would change the build.
			cmd.Env = append(cmd.Env, "REX_VERBOSE=1")
		}
		out, err := cmd.CombinedOutput()
		log.Write(out)
		if err != nil {
			t.Fatalf("zlib %s with CC=%q: %v\n%s", argv[0], cc, err, tail(log.String(), 6000))
		}
		if argv[0] == "./configure" && stateDir != "" {
			// configure's probes are named after its pid (ztest$$.c): every run
			// compiles new commands that no cache can answer. Count make only.
			t.Logf("configure: %+v", readStats(t, stateDir))
			rexCmd(t, stateDir, "stats", "--zero")
		}
	}
	b := zlibBuild{objects: objectDigests(t, dir), log: log.String()}
	if stateDir != "" {
		b.stats = readStats(t, stateDir)
	}
	return b
}

// rexCmd runs bin/rex with args and REX_DIR=stateDir, and returns stdout.
func rexCmd(t *testing.T, stateDir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(testenv.Bin(t, "rex"), args...)
	cmd.Env = append(cleanEnv(), "REX_DIR="+stateDir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rex %v: %v", args, err)
	}
	return out
}

// cleanEnv is this process's environment without any REX_* or CC setting,
// so a developer's own configuration cannot change what the test checks.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "REX_") || strings.HasPrefix(kv, "CC=") || strings.HasPrefix(kv, "CFLAGS=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func envValue(env []string, name string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

func objectDigests(t *testing.T, dir string) map[string]digest.Digest {
	t.Helper()
	objs := map[string]digest.Digest{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !(strings.HasSuffix(p, ".o") || strings.HasSuffix(p, ".lo")) {
			return err
		}
		d, err := digest.SHA256.FromFile(p)
		rel, _ := filepath.Rel(dir, p)
		objs[rel] = d
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) < 20 {
		t.Fatalf("zlib build left only %d objects: %v", len(objs), objs)
	}
	return objs
}

func readStats(t *testing.T, stateDir string) rexStats {
	t.Helper()
	out := rexCmd(t, stateDir, "stats", "--json")
	var s rexStats
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("rex stats --json printed %q: %v", out, err)
	}
	return s
}

var (
	localOnce sync.Once
	localRef  map[string]digest.Digest
)

// localZlib is the reference: zlib built with plain gcc, no rex, once.
func localZlib(t *testing.T) map[string]digest.Digest {
	t.Helper()
	localOnce.Do(func() {
		localRef = buildZlib(t, "gcc").objects
	})
	if localRef == nil {
		t.Fatal("the local reference build of zlib failed")
	}
	return localRef
}

// sameObjects reports every object that differs from want or is absent.
func sameObjects(t *testing.T, what string, want, got map[string]digest.Digest) {
	t.Helper()
	var bad []string
	for p, d := range want {
		if got[p] != d {
			bad = append(bad, p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			bad = append(bad, p+" (extra)")
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%s: %d of %d objects differ from the local build: %v", what, len(bad), len(want), bad)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

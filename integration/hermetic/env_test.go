// Package hermetic checks rex --hermetic against the built rex-server and a
// rex-worker run with --sandbox hermetic, whose actions see only their
// input root: every compiler installed here compiles remotely into the
// object a local compile makes, a checkout elsewhere with its own REX_DIR
// gets hits, and a changed compiler or system header is a new key.
package hermetic

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// system is a rex-server without workers of its own and one hermetic
// rex-worker.
type system struct {
	server string
	rex    string
}

func start(t *testing.T) *system {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	if os.Geteuid() != 0 {
		t.Skip("the hermetic sandbox needs root")
	}
	srv := testenv.StartServer(t, "", "--workers", "0")
	testenv.StartWorker(t, srv.Addr, "--sandbox", "hermetic")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rex-server log:\n%s", srv.Log())
		}
	})
	return &system{server: srv.Addr, rex: testenv.Bin(t, "rex")}
}

// machine is one user's setup: a REX_DIR of its own.
type machine struct {
	sys *system
	dir string
}

func (s *system) machine(t *testing.T) *machine { return &machine{sys: s, dir: t.TempDir()} }

func (m *machine) env(extra ...string) []string {
	return append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + m.dir, "LC_ALL=C",
		"REX_SERVER=" + m.sys.server, "REX_DIR=" + m.dir, "REX_HERMETIC=1"}, extra...)
}

// compile runs "rex argv..." in dir and fails the test unless it succeeds.
func (m *machine) compile(t *testing.T, dir string, argv ...string) {
	t.Helper()
	r := testenv.Run(t, dir, m.env(), append([]string{m.sys.rex}, argv...)...)
	if r.Exit != 0 {
		t.Fatalf("rex %s in %s: exit %d\n%s", strings.Join(argv, " "), dir, r.Exit, r.Stderr)
	}
}

// counters are a machine's outcomes; Hits counts the hits of both caches.
type counters struct {
	Hits      int64 `json:"cache_hits"`
	Remote    int64 `json:"remote_executions"`
	Fallbacks int64 `json:"local_fallbacks"`
	LocalRuns int64 `json:"local_runs"`
	LocalHits int64 `json:"local_cache_hits"`
}

// stats reads and resets the machine's counters.
func (m *machine) stats(t *testing.T) counters {
	t.Helper()
	r := testenv.Run(t, "/", m.env(), m.sys.rex, "stats", "--json")
	var c counters
	if err := json.Unmarshal([]byte(r.Stdout), &c); err != nil {
		t.Fatalf("rex stats --json: %q: %v", r.Stdout, err)
	}
	c.Hits, c.LocalHits = c.Hits+c.LocalHits, 0
	testenv.Run(t, "/", m.env(), m.sys.rex, "stats", "--zero")
	return c
}

// local compiles argv in dir without rex.
func local(t *testing.T, dir string, argv ...string) {
	t.Helper()
	r := testenv.Run(t, dir, []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C"}, argv...)
	if r.Exit != 0 {
		t.Fatalf("%s in %s: exit %d\n%s", strings.Join(argv, " "), dir, r.Exit, r.Stderr)
	}
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, errA := os.ReadFile(a)
	y, errB := os.ReadFile(b)
	if errA != nil || errB != nil {
		t.Fatalf("read objects: %v, %v", errA, errB)
	}
	return len(x) > 0 && string(x) == string(y)
}

func write(t *testing.T, path, text string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// A rewrite within the same clock tick must still look changed.
	future := time.Now().Add(time.Second)
	os.Chtimes(path, future, future)
}

package verify

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/stats"
)

// zlib built through rex with REX_VERIFY=1, cold (remote executions) and
// again after make clean (cache hits): every remote outcome is verified
// and none differs from the local compile.
func TestVerifiedZlibBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("a real build takes minutes; skipped under -short")
	}
	src := fetch(t, "zlib")
	srv := testenv.StartServer(t, "", "--workers", "2")
	root := filepath.Join(t.TempDir(), "zlib")
	if out, err := exec.Command("cp", "-a", src, root).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", src, err, out)
	}
	rex := newRex(t, srv.Addr, root)
	env := []string{"REX_VERIFY=1", "REX_LOG_FILE=" + rex.log}
	rex.step(root, append(env, "CC=rex gcc"), "./configure")
	for _, step := range []string{"cold", "rebuild"} {
		if step == "rebuild" {
			rex.step(root, nil, "make", "clean")
		}
		rex.zeroStats()
		start := time.Now()
		rex.step(root, env, "make", "-j4")
		c := rex.stats()
		t.Logf("zlib %s build, verified, in %v: %+v", step, time.Since(start).Round(time.Millisecond), c)
		checkVerified(t, step, c)
		if step == "rebuild" && c.CacheHits == 0 {
			t.Errorf("rebuild: no cache hits were verified")
		}
	}
	// The same rebuild unverified, for comparison (logged, not asserted).
	rex.step(root, nil, "make", "clean")
	rex.zeroStats()
	start := time.Now()
	rex.step(root, nil, "make", "-j4")
	if c := rex.stats(); c.Verified != 0 || c.CacheHits == 0 {
		t.Errorf("unverified rebuild: %+v, want hits and nothing verified", c)
	}
	t.Logf("zlib rebuild, unverified, in %v", time.Since(start).Round(time.Millisecond))
	if strings.Contains(rex.logText(), "verify:") {
		t.Errorf("the log reports mismatches:\n%s", rex.logText())
	}
}

func checkVerified(t *testing.T, step string, c stats.Counters) {
	t.Helper()
	remote := c.CacheHits + c.RemoteExecutions
	if remote < 20 || c.Verified != remote || c.VerifyMismatches != 0 || c.LocalFallbacks != 0 {
		t.Errorf("%s: want every one of 20+ remote outcomes verified, no mismatch, no fallback; got %+v", step, c)
	}
}

// step runs one build step in dir, failing the test with its output.
func (r *rexEnv) step(dir string, extra []string, name string, args ...string) {
	r.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, append(append([]string(nil), r.env...), extra...)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// fetch returns the unpacked source of a corpus package (scripts/corpus).
func fetch(t *testing.T, pkg string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(testenv.RepoRoot(), "scripts", "corpus", "fetch"), "--tools", pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/corpus/fetch %s: %v\n%s", pkg, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

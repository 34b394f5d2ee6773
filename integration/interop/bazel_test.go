package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// bazelVersions are the Bazel clients tested, by the name scripts/peers/install
// gives their binary.
var bazelVersions = []struct{ name, bin string }{
	{"2.1", "bazel-2.1"}, // npm @bazel/bazel-linux_x64: REAPI v2.0 output_files, PWD=/proc/self/cwd
	{"4.2", "bazel-4.2"}, // Debian bazel-bootstrap
}

// bazelTarget is one server and the flag that points Bazel at it.
type bazelTarget struct {
	name string
	flag string                                     // --remote_cache or --remote_executor
	addr func(t *testing.T) (string, func() string) // address, and its log for failures
}

var bazelTargets = []bazelTarget{
	{"rex-server/remote_cache", "--remote_cache", rexServer},
	{"rex-server/remote_executor", "--remote_executor", rexServer},
	// The same workspace against the third-party peers: proves the workspace
	// and the harness, so a rex-server failure above is rex-server's.
	{"bazel-remote/remote_cache", "--remote_cache", func(t *testing.T) (string, func() string) {
		return startBazelRemote(t), func() string { return "" }
	}},
	{"buildbarn/remote_executor", "--remote_executor", func(t *testing.T) (string, func() string) {
		return buildbarn(t), buildbarnLogs
	}},
}

// rexServer starts a fresh rex-server with embedded workers. Bazel with
// --remote_cache fills the cache itself, so writes are allowed.
func rexServer(t *testing.T) (string, func() string) {
	s := testenv.StartServer(t, "", "--workers", "2", "--allow-cache-writes")
	return s.Addr, s.Log
}

// TestBazel builds integration/bazel (cc_library, genrule, cc_binary) with
// each Bazel version against each target: the build succeeds, the binary
// runs, and after `bazel clean` the rebuild is all remote cache hits, read
// from Bazel's own summary line.
func TestBazel(t *testing.T) {
	rc := filepath.Join(peersDir(), "bazel", "offline.bazelrc")
	for _, v := range bazelVersions {
		t.Run(v.name, func(t *testing.T) {
			b := newBazel(t, peerBin(t, v.bin), rc)
			for _, tg := range bazelTargets {
				t.Run(tg.name, func(t *testing.T) {
					addr, serverLog := tg.addr(t)
					defer func() {
						if t.Failed() {
							t.Logf("server log (tail):\n%s", tail(serverLog(), 6000))
						}
					}()
					b.buildTwice(t, tg.flag+"="+addr, tg.flag == "--remote_executor")
				})
			}
		})
	}
}

// bazel is one Bazel version with its own output root and a private copy of
// the workspace; its server stays up across targets and is shut down at the end.
type bazel struct {
	bin, rc, root, ws string
}

func newBazel(t *testing.T, bin, rc string) *bazel {
	t.Helper()
	if _, err := os.Stat(rc); err != nil {
		t.Skipf("%s missing: run scripts/peers/install bazelrc", rc)
	}
	dir := t.TempDir()
	b := &bazel{bin: bin, rc: rc, root: filepath.Join(dir, "root"), ws: filepath.Join(dir, "ws")}
	src := filepath.Join(testenv.RepoRoot(), "integration", "bazel")
	if out, err := exec.Command("cp", "-r", src, b.ws).CombinedOutput(); err != nil {
		t.Fatalf("copy workspace: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		b.run(t, "shutdown")
		exec.Command("chmod", "-R", "u+w", dir).Run() // Bazel leaves read-only trees
	})
	return b
}

// run runs one bazel command in the workspace and returns its output.
func (b *bazel) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	argv := append([]string{"--output_user_root=" + b.root, "--nohome_rc", "--bazelrc=" + b.rc, "--max_idle_secs=120"}, args...)
	cmd := exec.Command(b.bin, argv...)
	cmd.Dir = b.ws
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (b *bazel) build(t *testing.T, flag string) map[string]int {
	t.Helper()
	out, err := b.run(t, "build", flag, "//:hello")
	if err != nil {
		t.Fatalf("bazel build %s: %v\n%s", flag, err, tail(out, 6000))
	}
	procs, ok := processSummary(out)
	if !ok {
		t.Fatalf("no process summary in Bazel's output:\n%s", tail(out, 3000))
	}
	got, err := exec.Command(filepath.Join(b.ws, "bazel-bin", "hello"), "bazel").Output()
	if want := "hello, bazel (interop-1)\n"; err != nil || string(got) != want {
		t.Errorf("bazel-bin/hello printed %q (%v), want %q", got, err, want)
	}
	return procs
}

// buildTwice: clean, build (remotely executed when remoteExec), clean,
// build again: all spawns must be remote cache hits.
func (b *bazel) buildTwice(t *testing.T, flag string, remoteExec bool) {
	t.Helper()
	b.run(t, "clean")
	first := b.build(t, flag)
	t.Logf("first build:  %v", first)
	if remoteExec {
		for kind, n := range first {
			if kind != "remote" && kind != "remote cache hit" && kind != "internal" && kind != "total" {
				t.Errorf("first build with %s ran %d processes as %q, want all remote", flag, n, kind)
			}
		}
		if first["remote"]+first["remote cache hit"] == 0 {
			t.Errorf("first build with %s ran nothing remotely: %v", flag, first)
		}
	}
	b.run(t, "clean")
	second := b.build(t, flag)
	t.Logf("second build: %v", second)
	spawns := second["total"] - second["internal"]
	if spawns == 0 || second["remote cache hit"] != spawns {
		t.Errorf("rebuild after clean with %s: %v, want all %d spawns remote cache hits", flag, second, spawns)
	}
}

var summaryRE = regexp.MustCompile(`(?m)^INFO: (\d+) process(?:es)?: (.*)\.$`)

// processSummary parses Bazel's "INFO: 8 processes: 4 remote cache hit, 4
// internal." (4.x) or "INFO: 4 processes: 4 remote." (2.x) into counts by
// kind, with the total under "total".
func processSummary(out string) (map[string]int, bool) {
	m := summaryRE.FindAllStringSubmatch(out, -1)
	if m == nil {
		return nil, false
	}
	last := m[len(m)-1]
	counts := map[string]int{}
	counts["total"], _ = strconv.Atoi(last[1])
	for _, part := range strings.Split(last[2], ", ") {
		n, kind, ok := strings.Cut(strings.TrimSpace(part), " ")
		if v, err := strconv.Atoi(n); ok && err == nil {
			counts[kind] += v
		}
	}
	return counts, true
}

func TestProcessSummary(t *testing.T) {
	for _, tc := range []struct {
		out  string
		want string
	}{
		{"INFO: 4 processes: 4 remote cache hit.\n", "map[remote cache hit:4 total:4]"},
		{"x\nINFO: 8 processes: 4 remote cache hit, 4 internal.\n", "map[internal:4 remote cache hit:4 total:8]"},
		{"INFO: 1 process: 1 internal.\n", "map[internal:1 total:1]"},
		{"INFO: 8 processes: 4 internal, 4 linux-sandbox.\n", "map[internal:4 linux-sandbox:4 total:8]"},
	} {
		got, ok := processSummary(tc.out)
		if !ok || fmt.Sprint(got) != tc.want {
			t.Errorf("processSummary(%q) = %v, %v; want %s", tc.out, got, ok, tc.want)
		}
	}
}

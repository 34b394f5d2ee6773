package security

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// zlibTree is one copy of zlib's source, built with make.
type zlibTree struct {
	t   *testing.T
	dir string
	env []string
}

func newZlibTree(t *testing.T, src, dir string, env []string) *zlibTree {
	t.Helper()
	if out, err := exec.Command("cp", "-a", src, dir).CombinedOutput(); err != nil {
		t.Fatalf("copy zlib: %v\n%s", err, out)
	}
	base := []string{"PATH=" + filepath.Dir(testenv.Bin(t, "rex")) + ":" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LC_ALL=C"}
	return &zlibTree{t: t, dir: dir, env: append(base, env...)}
}

func (z *zlibTree) run(name string, args ...string) {
	z.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = z.dir, z.env
	if out, err := cmd.CombinedOutput(); err != nil {
		z.t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), z.dir, err, out)
	}
}

// build configures with CC="cc" and runs make, returning every object.
func (z *zlibTree) build(cc string) map[string][]byte {
	z.t.Helper()
	z.run("env", "CC="+cc, "./configure", "--static")
	z.run("make", "-j4", "libz.a")
	objs := map[string][]byte{}
	filepath.WalkDir(z.dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".o") || strings.HasSuffix(path, ".lo")) {
			b, _ := os.ReadFile(path)
			rel, _ := filepath.Rel(z.dir, path)
			objs[rel] = b
		}
		return nil
	})
	return objs
}

// zlib through rex and a --tokens server, with an execute token: every
// object is the local build's, compiles run remotely, and the server's
// action cache holds only results of its own executions. A cache-only build
// with the same token cannot add any.
func TestZlibWithExecuteToken(t *testing.T) {
	skipShort(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	out, err := exec.Command(filepath.Join(testenv.RepoRoot(), "scripts", "corpus", "fetch"), "--tools", "zlib").Output()
	if err != nil {
		t.Fatalf("scripts/corpus/fetch zlib: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	src := lines[len(lines)-1]

	base := t.TempDir()
	want := newZlibTree(t, src, filepath.Join(base, "local"), nil).build("gcc")
	if len(want) == 0 {
		t.Fatal("the local build made no objects")
	}
	srv, _ := tokensServer(t, teamTokens, "--workers", "2")
	rexEnv := func(dir string, extra ...string) []string {
		return append([]string{"REX_SERVER=" + srv.Addr, "REX_TOKEN=" + execToken, "REX_DIR=" + filepath.Join(base, "state-"+filepath.Base(dir))}, extra...)
	}
	dir := filepath.Join(base, "rex")
	z := newZlibTree(t, src, dir, rexEnv(dir))
	got := z.build("rex gcc")
	compareObjects(t, want, got)
	c := (&project{t: t, env: z.env}).stats()
	t.Logf("zlib through rex: %d objects, %+v", len(got), c)
	if c.RemoteExecutions < len(want) || c.LocalFallbacks != 0 {
		t.Errorf("stats %+v: want at least %d remote executions and no fallbacks", c, len(want))
	}
	results := len(actionKeys(t, srv.Dir))
	if results == 0 || results > c.RemoteExecutions {
		t.Errorf("%d results cached for %d remote executions: only the server's executions may fill it", results, c.RemoteExecutions)
	}

	// Cache-only: rex compiles locally and tries to fill the cache.
	dir = filepath.Join(base, "cacheonly")
	co := newZlibTree(t, src, dir, rexEnv(dir, "REX_CACHE_ONLY=1"))
	compareObjects(t, want, co.build("rex gcc"))
	if n := len(actionKeys(t, srv.Dir)); n != results {
		t.Errorf("a cache-only build with an execute token changed the cache: %d results, was %d", n, results)
	}
	if s := (&project{t: t, env: co.env}).statsText(); !strings.Contains(s, "the server refused rex's credentials") {
		t.Errorf("cache-only fills were not reported as refused:\n%s", s)
	}
}

func compareObjects(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	var names []string
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: missing from the rex build", name)
		} else if !bytes.Equal(g, want[name]) {
			t.Errorf("%s: differs from the local build", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rex build has %d objects, local %d", len(got), len(want))
	}
}

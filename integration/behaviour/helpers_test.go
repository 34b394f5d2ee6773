package behaviour

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/stats"
)

// tree is a build directory with its own REX_DIR, built by the plain
// compiler or by rex.
type tree struct {
	t   *testing.T
	dir string
	env []string
}

func newTree(t *testing.T, server string, files map[string]string) *tree {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "REX_SERVER="+server, "REX_DIR="+filepath.Join(t.TempDir(), "state"))
	return &tree{t: t, dir: dir, env: env}
}

// result is what one command left: its streams and exit status.
type result struct {
	stdout, stderr string
	exit           int
}

func (tr *tree) run(argv ...string) result {
	tr.t.Helper()
	r := testenv.Run(tr.t, tr.dir, tr.env, argv...)
	return result{r.Stdout, r.Stderr, r.Exit}
}

// rex runs argv through rex.
func (tr *tree) rex(argv ...string) result {
	tr.t.Helper()
	return tr.run(append([]string{testenv.Bin(tr.t, "rex")}, argv...)...)
}

func (tr *tree) stats() stats.Counters {
	tr.t.Helper()
	r := tr.rex("stats", "--json")
	var c stats.Counters
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		tr.t.Fatalf("rex stats --json printed %q: %v", r.stdout, err)
	}
	return c
}

// files lists every entry under the tree, directories marked with a "/".
func (tr *tree) files() []string {
	tr.t.Helper()
	var names []string
	filepath.Walk(tr.dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == tr.dir {
			return err
		}
		rel, _ := filepath.Rel(tr.dir, p)
		if fi.IsDir() {
			rel += "/"
		}
		names = append(names, rel)
		return nil
	})
	sort.Strings(names)
	return names
}

func (tr *tree) mode(name string) os.FileMode {
	tr.t.Helper()
	fi, err := os.Stat(filepath.Join(tr.dir, name))
	if err != nil {
		tr.t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func (tr *tree) read(name string) []byte {
	tr.t.Helper()
	b, err := os.ReadFile(filepath.Join(tr.dir, name))
	if err != nil {
		tr.t.Fatal(err)
	}
	return b
}

func requireCompiler(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if name == "gcc" || name == "g++" {
			t.Fatalf("%s not found: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
}

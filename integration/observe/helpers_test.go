package observe

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/stats"
)

// tree is a source directory with its own REX_DIR, compiled through rex
// against a server.
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
	tr := &tree{t: t, dir: t.TempDir()}
	tr.write(files)
	tr.env = append(os.Environ(), "REX_SERVER="+server, "REX_DIR="+filepath.Join(t.TempDir(), "state"))
	return tr
}

func (tr *tree) write(files map[string]string) {
	tr.t.Helper()
	for name, data := range files {
		path := filepath.Join(tr.dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			tr.t.Fatal(err)
		}
	}
}

// rex runs rex with argv, with extra environment variables.
func (tr *tree) rex(extra []string, argv ...string) testenv.Result {
	tr.t.Helper()
	env := append(append([]string{}, tr.env...), extra...)
	return testenv.Run(tr.t, tr.dir, env, append([]string{testenv.Bin(tr.t, "rex")}, argv...)...)
}

// compile runs one compile through rex, which must succeed.
func (tr *tree) compile(extra []string, argv ...string) {
	tr.t.Helper()
	if r := tr.rex(extra, argv...); r.Exit != 0 {
		tr.t.Fatalf("rex %v: exit %d\n%s", argv, r.Exit, r.Stderr)
	}
}

func (tr *tree) summary() stats.Summary {
	tr.t.Helper()
	var s stats.Summary
	tr.json(&s, "stats", "--json")
	return s
}

// json runs a rex subcommand and decodes what it printed.
func (tr *tree) json(v any, argv ...string) {
	tr.t.Helper()
	r := tr.rex(nil, argv...)
	if r.Exit != 0 || json.Unmarshal([]byte(r.Stdout), v) != nil {
		tr.t.Fatalf("rex %v: exit %d, printed %q\n%s", argv, r.Exit, r.Stdout, r.Stderr)
	}
}

package compiler

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// embedCases are compiled by the real compilers in two directories, each
// with -ffile-prefix-map=DIR=/local as rex adds to a remote command. ABS is
// the directory. The objects must be identical exactly when the model lets
// the compile run remotely: a difference is a path that no prefix map
// rewrites, so a remote object would differ from the local one.
var embedCases = []string{
	"gcc -g -c ABS/a.c",
	"gcc -g -grecord-gcc-switches -IABS/inc -c a.c",
	"gcc -frecord-gcc-switches -O2 -IABS/inc -DX=1 -c ABS/a.c",
	"gcc -flto -frandom-seed=1 -c a.c",
	"gcc -fsanitize=address -c a.c",
	"gcc -fsanitize=address -c ABS/a.c",
	"gcc -fsanitize=undefined -IABS/inc -c b.c",
	"clang -g -c ABS/a.c",
	"clang -flto -g -IABS/inc -c a.c",
	"clang -flto -c ABS/a.c",
	"clang -g -grecord-command-line -c a.c",
	"clang -fembed-bitcode -c ABS/a.c",
	"clang -frecord-gcc-switches -c a.c",
	"clang -fsanitize=undefined -Iinc -c b.c",
	"clang -fsanitize=address -IABS/inc -c b.c",
}

// embedTree writes a project whose code gives every feature above a path
// to record: a global and a division in a header, assert, __FILE__.
func embedTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"a.c": "#include \"h.h\"\n#include <assert.h>\nint f(int x) { assert(x); return x + H; }\n" +
			"const char *file = __FILE__;\n",
		"b.c":     "#include \"h.h\"\nint use(int a, int b) { return hdiv(a, b); }\n",
		"inc/h.h": "#define H 1\nint hg[4];\nstatic inline int hdiv(int a, int b) { return a / b + hg[a]; }\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func compileIn(t *testing.T, dir, cmd string) []byte {
	t.Helper()
	argv := strings.Fields(strings.ReplaceAll(cmd, "ABS", dir))
	argv = append(argv, "-Iinc", "-ffile-prefix-map="+dir+"=/local", "-o", "o.o")
	c := exec.Command(argv[0], argv[1:]...)
	c.Dir = dir
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("%q: %v\n%s", argv, err, out)
	}
	obj, err := os.ReadFile(filepath.Join(dir, "o.o"))
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestEmbeddedPaths(t *testing.T) {
	for _, cmd := range embedCases {
		t.Run(cmd, func(t *testing.T) {
			requireCompiler(t, strings.Fields(cmd)[0])
			d1, d2 := embedTree(t), embedTree(t)
			inv, err := Parse(strings.Fields(strings.ReplaceAll(cmd, "ABS", d1)), d1)
			if err != nil {
				t.Fatal(err)
			}
			same := bytes.Equal(compileIn(t, d1, cmd), compileIn(t, d2, cmd))
			if same != inv.Remotable {
				t.Errorf("objects from two directories identical: %v; remotable: %v (%s)", same, inv.Remotable, inv.Reason)
			}
		})
	}
}

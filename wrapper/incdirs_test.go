package wrapper

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rexbuild/rex/compiler"
)

// TestNamedIncludeDirs: every spelling of an include directory option and
// the include path variables, made absolute; -I- and the empty entry (the
// current directory) are none.
func TestNamedIncludeDirs(t *testing.T) {
	args := []string{"gcc", "-Ia", "-I", "b/", "-I-", "-iquote", "q", "-isystemS", "-idirafter", "/abs/d", "-include", "x.h", "-c", "a.c", "-o", "a.o"}
	env := map[string]string{"CPATH": "cp::/e", "HOME": "/h"}
	p, err := compiler.Parse(args, "/w")
	if err != nil {
		t.Fatal(err)
	}
	got := namedIncludeDirs("/w", p, env)
	want := []string{"/w/a", "/w/b", "/w/q", "/w/S", "/abs/d", "/w/cp", "/e"}
	if !slices.Equal(got, want) {
		t.Errorf("namedIncludeDirs = %q, want %q", got, want)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	check := func(dirs ...string) ([]string, error) {
		argv := []string{"gcc"}
		for _, d := range dirs {
			argv = append(argv, "-I"+d)
		}
		p, err := compiler.Parse(append(argv, "-c", "a.c", "-o", "a.o"), dir)
		if err != nil {
			t.Fatal(err)
		}
		_, existing, err := checkIncludeDirs(dir, p, nil)
		return existing, err
	}
	if _, err := check(filepath.Join(dir, "missing"), dir, file); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("checkIncludeDirs of a file among the -I dirs: %v, want an error naming %s", err, file)
	}
	if existing, err := check(filepath.Join(dir, "missing"), dir); err != nil || !slices.Equal(existing, []string{dir}) {
		t.Errorf("checkIncludeDirs = %q, %v; want only the directory that exists, %s", existing, err, dir)
	}
}

package wrapper

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestNamedIncludeDirs: every spelling of an include directory option and
// the include path variables, made absolute; -I- and the empty entry (the
// current directory) are none.
func TestNamedIncludeDirs(t *testing.T) {
	args := []string{"gcc", "-Ia", "-I", "b/", "-I-", "-iquote", "q", "-isystemS", "-idirafter", "/abs/d", "-include", "x.h", "-c", "a.c"}
	env := map[string]string{"CPATH": "cp::/e", "HOME": "/h"}
	got := namedIncludeDirs("/w", args, env)
	want := []string{"/w/a", "/w/b", "/w/q", "/w/S", "/abs/d", "/w/cp", "/e"}
	if !slices.Equal(got, want) {
		t.Errorf("namedIncludeDirs = %q, want %q", got, want)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	if got := notADirectory([]string{filepath.Join(dir, "missing"), dir, file}); got != file {
		t.Errorf("notADirectory = %q, want %q", got, file)
	}
}

package depscan

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestScanSkippedLink scans, with clang, a source that reaches a guarded
// header a second time through a symlink in an earlier -I dir: clang
// skips the link and prints no marker of it, and each way of scanning
// (no dependency file, -MD, -MMD with the link in a system dir) must list
// it.
func TestScanSkippedLink(t *testing.T) {
	for _, cc := range []string{"clang", "clang++"} {
		if _, err := exec.LookPath(cc); err != nil {
			t.Skipf("%s not installed", cc)
		}
	}
	for _, argv := range [][]string{
		{"clang++", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		{"clang", "-MD", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		{"clang++", "-x", "c++", "-MMD", "-isystem", "a", "-isystem", "b", "-c", "a.c", "-o", "a.o"},
		{"clang", "-Wp,-MMD,a.d", "-isystem", "a", "-isystem", "b", "-c", "a.c", "-o", "a.o"},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"y.h": "#ifndef Y_H\n#define Y_H\n#endif\n", "b/x.h": "",
			"a.c": "#include \"y.h\"\n#include <x.h>\nint v;\n"})
		if err := os.Mkdir(filepath.Join(dir, "a"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../y.h", filepath.Join(dir, "a/x.h")); err != nil {
			t.Fatal(err)
		}
		inv := parse(t, dir, argv...)
		deps, err := scan(t, inv, dir, filepath.Join(dir, "scan.d"))
		if err != nil {
			t.Fatalf("%q: %v", argv, err)
		}
		if !slices.Contains(deps, "a/x.h") {
			t.Errorf("%q: the scan lists %q, not the skipped link a/x.h", argv, deps)
		}
	}
}

// TestJoinRule keeps the markers' files and spellings and adds the rule's
// others once.
func TestJoinRule(t *testing.T) {
	got, err := joinRule([]string{"a.c", "./y.h"}, []byte("a.o: a.c y.h \\\n a/x.h a/./x.h\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.c", "./y.h", "a/x.h"}; !slices.Equal(got, want) {
		t.Errorf("joinRule = %q, want %q", got, want)
	}
	// b\x.h, which the rule spells b/x.h, is one file where b/x.h is
	// none, two where it is.
	dir := t.TempDir()
	got, err = joinRule([]string{"a.c", `b\x.h`}, []byte("a.o: a.c b/x.h\n"), dir)
	if want := []string{"a.c", `b\x.h`}; err != nil || !slices.Equal(got, want) {
		t.Errorf("joinRule = %q, %v, want %q", got, err, want)
	}
	writeFiles(t, dir, map[string]string{"b/x.h": ""})
	got, err = joinRule([]string{"a.c", `b\x.h`}, []byte("a.o: a.c b/x.h\n"), dir)
	if want := []string{"a.c", `b\x.h`, "b/x.h"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("joinRule = %q, %v, want %q", got, err, want)
	}
	if _, err := joinRule(nil, []byte("no rule here\n"), dir); err == nil {
		t.Error("joinRule of no rule: no error")
	}
}

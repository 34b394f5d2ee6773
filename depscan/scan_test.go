package depscan

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rexbuild/rex/compiler"
)

func parse(t testing.TB, dir string, argv ...string) *compiler.Invocation {
	t.Helper()
	inv, err := compiler.Parse(argv, dir)
	if err != nil || !inv.Remotable {
		t.Fatalf("Parse(%q): %v, not remotable: %s", argv, err, inv.Reason)
	}
	return inv
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScanRealCompilers scans a C++ file that includes <iostream> and a
// project header with the real g++ and clang++: every listed file must
// exist, and the project header must be among them.
func TestScanRealCompilers(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"src/a.cc":    "#include <iostream>\n#include \"inc/h.h\"\nint main() { std::cout << X; }\n",
		"src/inc/h.h": "#define X 1\n",
	})
	for _, cc := range []string{"g++", "clang++"} {
		if _, err := exec.LookPath(cc); err != nil && cc != "g++" {
			t.Logf("%s not installed", cc)
			continue
		}
		inv := parse(t, dir, cc, "-O2", "-c", "src/a.cc", "-o", "obj/a.o", "-MD", "-MF", "obj/a.d")
		start := time.Now()
		deps, err := Scan(context.Background(), inv, dir, os.Environ())
		if err != nil {
			t.Fatalf("%s: %v", cc, err)
		}
		t.Logf("%s: %d files in %v", cc, len(deps), time.Since(start))
		if deps[0] != "src/a.cc" || !slices.Contains(deps, "src/inc/h.h") {
			t.Errorf("%s: deps lack the source or header: %q", cc, deps)
		}
		if !slices.ContainsFunc(deps, func(p string) bool { return strings.HasSuffix(p, "/iostream") }) {
			t.Errorf("%s: deps lack <iostream>: %q", cc, deps)
		}
		for _, p := range deps {
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s: listed dependency: %v", cc, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "obj")); !os.IsNotExist(err) {
			t.Errorf("%s: the scan wrote obj/: %v", cc, err)
		}
	}
}

// TestScanFailure checks that a missing header comes back as an *Error
// with the exit code and the compiler's message.
func TestScanFailure(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.c": "#include \"missing.h\"\n"})
	_, err := Scan(context.Background(), parse(t, dir, "gcc", "-c", "a.c"), dir, nil)
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("Scan error = %v, want *Error", err)
	}
	if se.ExitCode != 1 || !strings.Contains(string(se.Stderr), "missing.h") {
		t.Errorf("ExitCode=%d Stderr=%q", se.ExitCode, se.Stderr)
	}
	if !strings.Contains(err.Error(), "missing.h") {
		t.Errorf("Error() = %q, want the first stderr line", err)
	}
}

// TestScanUsesEnvPath runs the compiler found in env's PATH, not this
// process's: a fake gcc prints a fixed rule.
func TestScanUsesEnvPath(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"bin/gcc": "#!/bin/sh\necho \"$@\" >&2\nprintf 'a.o: a.c fake\\\\ dep.h\\n'\n",
	})
	inv := parse(t, dir, "gcc", "-c", "a.c", "-o", "a.o", "-MD")
	env := []string{"PATH=/nonexistent", "PATH=" + filepath.Join(dir, "bin")}
	deps, err := Scan(context.Background(), inv, dir, env)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.c", "fake dep.h"}, deps); diff != "" {
		t.Errorf("deps mismatch (-want +got):\n%s", diff)
	}
	_, err = Scan(context.Background(), inv, dir, []string{"PATH=/nonexistent"})
	var se *Error
	if !errors.As(err, &se) || se.ExitCode != -1 {
		t.Errorf("Scan with no gcc on PATH: %v", err)
	}
}

func TestScanNotRemotable(t *testing.T) {
	inv, err := compiler.Parse([]string{"gcc", "-E", "a.c"}, ".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(context.Background(), inv, ".", nil); !errors.Is(err, ErrNotRemotable) {
		t.Errorf("Scan = %v, want ErrNotRemotable", err)
	}
}

// TestScanMatchesDepFile compiles with -MD and checks that the scan lists
// the same files the compiler wrote into the dependency file.
func TestScanMatchesDepFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.c":       "#include <stdio.h>\n#include \"sub/h.h\"\nint main(void) { return X; }\n",
		"sub/h.h":   "#include \"../b.h\"\n#define X 0\n",
		"b.h":       "\n",
		"obj/.keep": "",
	})
	for _, cc := range []string{"gcc", "clang"} {
		if _, err := exec.LookPath(cc); err != nil && cc != "gcc" {
			continue
		}
		argv := []string{cc, "-O2", "-c", "a.c", "-o", "obj/a.o", "-MMD", "-MP"}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", argv, err, out)
		}
		data, err := os.ReadFile(filepath.Join(dir, "obj/a.d"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := ParseRule(data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Scan(context.Background(), parse(t, dir, argv...), dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		// -MMD leaves out system headers; the scan (-M) lists them too.
		var user []string
		for _, p := range got {
			if !strings.HasPrefix(p, "/usr/") {
				user = append(user, p)
			}
		}
		if diff := cmp.Diff(want, user); diff != "" {
			t.Errorf("%s: scan and dep file differ (-dep file +scan):\n%s", cc, diff)
		}
		if len(user) == len(got) {
			t.Errorf("%s: scan lists no system header: %q", cc, got)
		}
	}
}

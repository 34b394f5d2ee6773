package depscan

import (
	"bytes"
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

// scan runs Scan with the compiler argv[0] names in this process's PATH,
// writing the dependency file, if any, to depFile.
func scan(t testing.TB, inv *compiler.Invocation, dir, depFile string) ([]string, error) {
	t.Helper()
	path, err := exec.LookPath(inv.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), Request{Compiler: path, Inv: inv, Dir: dir, Env: os.Environ(), DepFile: depFile})
	if err != nil {
		return nil, err
	}
	return res.Deps, nil
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
		deps, err := scan(t, inv, dir, filepath.Join(t.TempDir(), "a.d"))
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
	_, err := scan(t, parse(t, dir, "gcc", "-c", "a.c"), dir, "")
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

func TestScanNotRemotable(t *testing.T) {
	inv, err := compiler.Parse([]string{"gcc", "-E", "a.c"}, ".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(context.Background(), Request{Compiler: "gcc", Inv: inv, Dir: "."}); !errors.Is(err, ErrNotRemotable) {
		t.Errorf("Scan = %v, want ErrNotRemotable", err)
	}
}

// TestScanMatchesDepFile compiles with -MMD -MP and checks that the scan
// writes the same dependency file, byte for byte, and lists every file in
// it plus the system headers it leaves out.
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
		scanned := filepath.Join(t.TempDir(), "scan.d")
		got, err := scan(t, parse(t, dir, argv...), dir, scanned)
		if err != nil {
			t.Fatal(err)
		}
		if written, _ := os.ReadFile(scanned); string(written) != string(data) {
			t.Errorf("%s: scan's dep file differs:\n%s\nwant:\n%s", cc, written, data)
		}
		var user []string
		for _, p := range got {
			if !strings.HasPrefix(p, "/usr/") {
				user = append(user, strings.TrimPrefix(p, "./"))
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

func TestParseSearchList(t *testing.T) {
	out := "ignoring nonexistent directory \"/x\"\n#include \"...\" search starts here:\n q\n" +
		"#include <...> search starts here:\n inc\n /usr/bin/../lib/gcc/x/12/../../../../include/c++/12\n /usr/include\n" +
		"End of search list.\n"
	got := ParseSearchList([]byte(out))
	want := SearchList{Quote: []string{"q"}, Angle: []string{"inc", "/usr/bin/../lib/gcc/x/12/../../../../include/c++/12", "/usr/include"},
		Ignored: []string{"/x"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseSearchList mismatch (-want +got):\n%s", diff)
	}
}

func TestMarkers(t *testing.T) {
	out := "# 0 \"a.c\"\n# 0 \"<built-in>\"\n# 1 \"/usr/include/stdc-predef.h\" 1 3 4\nint x;\n" +
		"# 1 \"inc/h\\\\x \\\"q\\\".h\" 1\n# 10 \"fake.c\"\n# 3 \"a.c\" 2\n" + strings.Repeat("y", 200000) + "\n# 1 \"late.h\" 1\n" +
		"  # 1 \"indented.h\" 1\n# 1 \"/usr/include/stdc-predef.h\" 1 3 4\n" +
		"x # 1 \"mid.h\" 1\n#1 \"nospace.h\" 1\n\t# 1 \"tab.h\" 1\n# 1 \"<built-in>\" 1\n# 1 \"<command line>\" 1\n" +
		"# 1 \"<x>.h\" 1\n# 1 \"last.h\" 1"
	got := markers([]byte(out))
	want := []string{"/usr/include/stdc-predef.h", `inc/h\x "q".h`, "late.h", "indented.h", "tab.h", "<x>.h", "last.h"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("markers mismatch (-want +got):\n%s", diff)
	}
}

// TestScanIndentedInclude: an #include indented inside a declaration (the
// kernel's lsm_hooks.h) is listed, with gcc's directives-only scan too.
func TestScanIndentedInclude(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.c":     "union u {\n\t#define X(n) int n;\n\t#include \"defs.h\"\n\t#undef X\n};\n",
		"defs.h":  "X(a)\nX(b)\n",
		"obj/.ok": "",
	})
	for _, cc := range []string{"gcc", "clang"} {
		if _, err := exec.LookPath(cc); err != nil && cc != "gcc" {
			continue
		}
		for _, argv := range [][]string{{cc, "-c", "a.c"}, {cc, "-c", "a.c", "-o", "obj/a.o", "-MMD"}} {
			deps, err := scan(t, parse(t, dir, argv...), dir, filepath.Join(t.TempDir(), "a.d"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(deps, func(p string) bool { return strings.HasSuffix(p, "defs.h") }) {
				t.Errorf("%q: deps %q lack defs.h", argv, deps)
			}
		}
	}
}

// FuzzMarkers checks markers against the plain reading of the format: in
// each line, every "# " that only blanks and comments precede.
func FuzzMarkers(f *testing.F) {
	f.Add([]byte("# 1 \"a.h\" 1\n  # 2 \"b.h\" 1 3\nx # 1 \"c.h\" 1\n#  # 1 \"d.h\" 1\n\t# 1 \"e.h\" 1"))
	f.Add([]byte("# # 1 \"a.h\" 1\n# 1 \"a\\\\\\\"b.h\" 1\n# 1 \"<built-in>\" 1\n"))
	f.Add([]byte("/* c */ # 1 \"a.h\" 1\n*/\f# 1 \"b.h\" 1 */ # 1 \"c.h\" 1\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		var want []string
		seen := map[string]bool{}
		for _, line := range bytes.Split(out, []byte("\n")) {
			for k := 0; k+2 <= len(line); k++ {
				before := bytes.TrimRight(line[:k], " \t\f\v")
				if !bytes.HasPrefix(line[k:], []byte("# ")) || len(before) > 0 && !bytes.HasSuffix(before, []byte("*/")) {
					continue
				}
				if name, ok := parseMarker(line[k:]); ok && !seen[string(name)] {
					seen[string(name)] = true
					want = append(want, string(name))
				}
			}
		}
		if diff := cmp.Diff(want, markers(out)); diff != "" {
			t.Errorf("markers(%q) (-line by line +markers):\n%s", out, diff)
		}
	})
}

// TestScanRetriesWithoutDirectivesOnly: where gcc's directives-only
// preprocessing fails and the compile would not (a _Pragma outside a macro,
// -Wunused-macros), the scan still lists every file, and writes the
// dependency file, through a plain -E.
func TestScanRetriesWithoutDirectivesOnly(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.c": "#include \"h.h\"\n#define UNUSED 1\nint main(void) { return hf(); }\n",
		// gcc 12's directives-only mode stops at this _Pragma with an
		// internal error ("unspellable token PRAGMA_EOL").
		"h.h": "#pragma message \"m\"\n_Pragma(\"GCC diagnostic push\")\n#define X 1\n" +
			"static inline int hf(void) { return X; }\n",
		"o/.ok": "",
	})
	for _, argv := range [][]string{
		{"gcc", "-c", "a.c", "-o", "o/a.o", "-MMD"},
		{"gcc", "-c", "a.c", "-o", "o/a.o", "-Wunused-macros"},
	} {
		inv := parse(t, dir, argv...)
		plain := exec.Command("gcc", append(inv.ScanArgs("o/x.d")[1:], "-o", os.DevNull)...)
		plain.Dir = dir
		if err := plain.Run(); err == nil {
			t.Logf("%q: this gcc's directives-only scan succeeds here", argv)
		}
		depFile := filepath.Join(dir, "o/scan.d")
		deps, err := scan(t, inv, dir, depFile)
		if err != nil {
			t.Fatalf("%q: %v", argv, err)
		}
		if !slices.Contains(deps, "h.h") {
			t.Errorf("%q: deps %q lack h.h", argv, deps)
		}
		if inv.DepFile != "" {
			if b, err := os.ReadFile(depFile); err != nil || !strings.Contains(string(b), "h.h") {
				t.Errorf("%q: dependency file %q (%v) lacks h.h", argv, b, err)
			}
		}
	}
}

// A name without escapes is read in place exactly as unquote reads it.
func FuzzPlainQuoted(f *testing.F) {
	for _, s := range []string{`a.h" 1`, `a\\b.h" 1`, "a\nb\" 1", `a.h`, `" 2`, `d\"q" 1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		body, rest, ok := plainQuoted(b)
		if !ok {
			return
		}
		name, wantRest, wantOK := unquote(b)
		if !wantOK || name != string(body) || !bytes.Equal(rest, wantRest) {
			t.Errorf("plainQuoted(%q) = %q, %q; unquote: %q, %q, %v", b, body, rest, name, wantRest, wantOK)
		}
	})
}

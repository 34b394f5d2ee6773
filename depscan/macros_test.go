package depscan

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestScanDefined checks what every kind of scan says of macros against
// the compilers: the built-in linux (GNU modes only), -D, -imacros, a
// header's #define, one defined and undefined, and one an #if skips. gcc's
// directives-only scan, its plain -E (a %:include sends it there), clang's
// -E (with a dependency file, or of C++) and clang's make rule (preprocessed
// again) must all answer.
func TestScanDefined(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"m.h": "#define fromimacros 1\n", "h.h": "#if 0\n#define skipped 1\n#endif\n#define fromheader(x) x\n",
		"a.c":  "#include \"h.h\"\n#define fromsource 2\n#undef fromsource\n",
		"a.cc": "#include \"h.h\"\n#define fromsource 2\n#undef fromsource\n",
		"n.c":  "%:include \"h.h\"\n#define fromsource 2\n#undef fromsource\n"})
	names := []string{"linux", "fromimacros", "fromcmdline", "fromheader", "fromsource", "skipped", "string_view", "define"}
	gnu := map[string]bool{"linux": true, "fromimacros": true, "fromcmdline": true, "fromheader": true, "fromsource": true}
	strict := map[string]bool{"fromimacros": true, "fromcmdline": true, "fromheader": true, "fromsource": true}
	for _, c := range []struct {
		cc, std, src string
		dep          bool
		full         bool
		want         map[string]bool
	}{
		{"gcc", "-std=gnu11", "a.c", false, false, gnu},
		{"gcc", "-std=c11", "a.c", false, false, strict},
		{"gcc", "-std=gnu11", "n.c", false, true, gnu},
		{"clang", "-std=gnu11", "a.c", true, true, gnu},
		{"clang", "-std=c11", "a.c", true, true, strict},
		{"clang", "-std=gnu11", "a.c", false, true, gnu},
		{"clang", "-std=c11", "a.c", false, true, strict},
		{"clang", "-std=gnu++17", "a.cc", false, true, gnu},
	} {
		cc, err := exec.LookPath(c.cc)
		if err != nil {
			t.Logf("no %s: its scans are not checked", c.cc)
			continue
		}
		argv := []string{c.cc, c.std, "-imacros", "m.h", "-Dfromcmdline=3", "-c", c.src, "-o", "a.o"}
		depFile := ""
		if c.dep {
			argv = append(argv, "-MD")
			depFile = dir + "/a.d.tmp"
		}
		what := c.cc + " " + c.std + " " + c.src
		res, err := Scan(context.Background(), Request{Compiler: cc, Inv: parse(t, dir, argv...), Dir: dir, Env: os.Environ(), DepFile: depFile})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if res.Full != c.full {
			t.Errorf("%s: Full %v, want %v", what, res.Full, c.full)
		}
		got, err := res.Defined(context.Background(), names)
		if err != nil {
			t.Fatalf("%s: Defined: %v", what, err)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: Defined (-want +got):\n%s", what, diff)
		}
		if !slices.ContainsFunc(res.Deps, func(d string) bool { return filepath.Base(d) == "h.h" }) {
			t.Errorf("%s: deps %q lack h.h", what, res.Deps)
		}
		res.Close()
		if _, err := res.Defined(context.Background(), names); err == nil {
			t.Errorf("%s: Defined answers after Close", what)
		}
	}
}

// A #define counts wherever directives-only mode prints it: after blanks
// or a comment on its line, as the file spelled it.
func TestDefinedInPassedOnDefines(t *testing.T) {
	out := []byte("#define A 1\n  #define B bar\n/* c */ #define C\n# define D\n%:define E\n#defined F\nint G;\n")
	got := definedIn(out, []string{"A", "B", "C", "D", "E", "F", "G"})
	for _, n := range []string{"A", "B", "C", "D", "E"} {
		if !got[n] {
			t.Errorf("%s: not read as defined in %q", n, out)
		}
	}
	for _, n := range []string{"F", "G"} {
		if got[n] {
			t.Errorf("%s: read as defined", n)
		}
	}
}

package depscan

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// defineTraps are definitions whose -dD lines look like what the output's
// readers search for: a marker, a directive's spelling, a _Pragma.
var defineTraps = []string{
	"#define M # 1 \"b/y.h\" 1", "#define N %: include", "#define P _Pragma(\"pop_macro(\\\"X\\\")\")",
	"#define Q(x) #x", "#define E \\\n# 1 \"b/y.h\" 1", "#define O _Pragma(\"once\")", "#undef M",
	"#define R R\"(", "#define S \"# 1 \\\"b/y.h\\\" 1\"", "#define T ??=",
}

// TestListingMacrosKeepsReadings: the -dD a scan's -E adds changes nothing
// the output's readers find: on random sources of lexerTraps and
// defineTraps, gcc's and clang's output enter the same files with it as
// without it, as markers reads them.
func TestListingMacrosKeepsReadings(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compilers 800 times")
	}
	var ccs []string
	for _, cc := range []string{"gcc", "clang"} {
		if _, err := exec.LookPath(cc); err == nil {
			ccs = append(ccs, cc)
		}
	}
	if len(ccs) == 0 {
		t.Skip("no gcc or clang")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"b/x.h": "int xh;\n", "b/y.h": "int yh;\n"})
	rng := rand.New(rand.NewPCG(7, 8))
	checked := 0
	for range 40 {
		src := defineTrapSource(rng)
		if err := os.WriteFile(filepath.Join(dir, "w.c"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cc := range ccs {
			for _, m := range trapModes[:2] {
				plain, okPlain := runE(dir, cc, m.args)
				listed, okListed := runE(dir, cc, append(slices.Clone(m.args), "-dD"))
				if okPlain != okListed {
					t.Errorf("%s %v: -E ok %v, -E -dD ok %v: %q", cc, m.args, okPlain, okListed, src)
				}
				if !okPlain {
					continue
				}
				checked++
				if a, b := markers(plain), markers(listed); !slices.Equal(a, b) {
					t.Errorf("%s %v: -E enters %q, -E -dD %q: %q", cc, m.args, a, b, src)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source preprocessed")
	}
}

// defineTrapSource joins 3 to 8 random lexerTraps and defineTraps, and
// includes b/x.h.
func defineTrapSource(rng *rand.Rand) []byte {
	var b strings.Builder
	for range 3 + rng.IntN(6) {
		if rng.IntN(2) == 0 {
			b.WriteString(lexerTraps[rng.IntN(len(lexerTraps))] + "\n")
		} else {
			b.WriteString(defineTraps[rng.IntN(len(defineTraps))] + "\n")
		}
	}
	b.WriteString("#include <x.h>\n")
	return []byte(b.String())
}

// runE preprocesses w.c with cc.
func runE(dir, cc string, args []string) ([]byte, bool) {
	cmd := exec.Command(cc, append(append([]string{"-Ib", "-E"}, args...), "w.c")...)
	cmd.Dir = dir
	var o bytes.Buffer
	cmd.Stdout = &o
	return o.Bytes(), cmd.Run() == nil
}

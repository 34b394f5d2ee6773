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

// probeTraps are lines that may hide from rex's reading a probe that the
// compile carries out, or show it one that the compile does not: literals
// that hold quotes or comment openers, comments before and inside
// directives, continuations, trigraphs.
var probeTraps = []string{
	"'abcdefghijk\"'", "'\\x000000022'", "'\"'", "\"'\"", "\"http://\"", "'//'", "\"/*\"", "'/*'", "/* \" */",
	"/* lead */", "/* a", "*/", "// c", "// c ??/", "// c \\", "??/", "\\", "R\"(", ")\"", "R\"x(\")x\"", "it's",
	"u8'x'", "L'\\''", "1'000", "/**/", "%:", "??=", "0x2f2f", "\"\\\\\"", "'\\\\'", "/* it's */",
}

// probeLine returns a line that probes p.h through gcc when p.h exists, its
// probe preceded on the line by prefix.
func probeLine(rng *rand.Rand, prefix string) string {
	switch rng.IntN(4) {
	case 0:
		return "#if " + prefix + " __has_include(\"p.h\")\nint v = 1;\n#endif"
	case 1:
		return "#if 1 || " + prefix + "\n#elif 1\n#endif\n#if 0\n#elif " + prefix + " __has_include(\"p.h\")\nint v = 1;\n#endif"
	case 2:
		return "#define P " + prefix + " __has_include(\"p.h\")\n#if P\nint v = 1;\n#endif"
	}
	return "/* lead */ #if " + prefix + " __has_include(\"p.h\")\nint v = 1;\n#endif"
}

// TestProbesAreSeen: on random sources of probeTraps around a probe, with
// LF, CRLF or CR line ends, wherever gcc's output changes when p.h
// appears, ScanDirectives must report the probe of p.h, or a reason to
// compile locally, or a spelling the mode counts.
func TestProbesAreSeen(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gcc 4,000 times")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	without, with := t.TempDir(), t.TempDir()
	writeFiles(t, with, map[string]string{"p.h": "int ph;\n"})
	rng := rand.New(rand.NewPCG(7, 8))
	probed := 0 // sources and modes where the probe counts
	for range 400 {
		var b strings.Builder
		trap := func() string { return probeTraps[rng.IntN(len(probeTraps))] }
		for range rng.IntN(2) {
			b.WriteString(trap() + " " + trap() + "\n")
		}
		prefix := trap() + " &&"
		if rng.IntN(2) == 0 {
			prefix = trap() + " " + prefix
		}
		b.WriteString(probeLine(rng, prefix) + "\n")
		for range rng.IntN(2) {
			b.WriteString(trap() + "\n")
		}
		src := []byte(strings.ReplaceAll(b.String(), "\n", []string{"\n", "\r\n", "\r"}[rng.IntN(3)]))
		for _, d := range []string{without, with} {
			if err := os.WriteFile(filepath.Join(d, "w.c"), src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got := ScanDirectives(src)
		seen := slices.Contains(got.Probes, Probe{Name: "p.h"}) || got.LocalReason() != ""
		for _, m := range trapModes {
			_, a, okA := preprocessTrap(without, m.args)
			_, b, okB := preprocessTrap(with, m.args)
			if !okA || !okB || bytes.Equal(a, b) {
				continue
			}
			if probed++; seen || m.counts(got.Hidden) {
				continue
			}
			t.Errorf("%v: the compile probes p.h, rex's reading does not see it (%+v): %q", m.args, got, src)
		}
	}
	// Most sources do not compile: enough must, or the test proves little.
	if probed < 100 {
		t.Errorf("the probe counted in only %d sources and modes", probed)
	}
	t.Logf("the probe counted in %d sources and modes", probed)
}

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

// lexerTraps are lines that lex differently in corner cases: directives
// spelled otherwise, quotes and raw strings left open, comments that hide
// or do not, digit separators, splices.
var lexerTraps = []string{
	"#include <x.h>", "#include <y.h>", "#if 0", "#if 1", "#else", "#endif", "#elif 1", "#ifdef X", "#define X", "#undef X",
	"%:include <x.h>", "%:else", "%:endif", "??=else", "??=endif", "\x00#else", "\x00#endif", "/* c */#else",
	"/* c */ #include <y.h>", "#\\", "else", "endif", "include <x.h>", "s = \"a/*b\";", "c = '\"';", "R\"(", ")\"",
	"R\"x(", ")x\"", "/*", "*/", "// c", "// c \\", "'", "\"", "1'000", "u8R\"(", "??/", "\\", "_Pragma(\"once\")", "%:",
	"x = R\"(a\"b)\";", "t = \"R\";", "LR\"a b(", "/* a */ /*", "*/ #endif", "*/ %:endif", "#define S \"/*\"",
	"#define Q '\"'", "q = \"\\\"\";", "#if 0 /*", "#pragma once", "_Pragma(\"push_macro(\\\"X\\\")\")",
	"#pragma pop_macro(\"X\")", "#if 1 // it's", "#endif /* it's */", " # /* c */ else", "#\t else", "#include <y.h> // '",
	"#if __has_include(<x.h>)", "\f#else", "\v#endif", "#else junk '", "<%", "%>", "\"\\", "'\\", "u8\"x", "U'",
	"F(it's)", "x /* it's", "*/ y '", "it's", "don't", "'a'", "#define E \\\\", "#/**/if 1", "# /*c*/ endif",
}

// trapMode is a language mode and what it reads that the scan may not.
type trapMode struct {
	args                          []string
	trigraphs, noRaw, noDigitSeps bool
}

var trapModes = []trapMode{
	{[]string{"-x", "c", "-std=gnu11"}, false, false, true},
	{[]string{"-x", "c", "-std=c11"}, true, true, true},
	{[]string{"-x", "c", "-std=c2x"}, true, true, false},
	{[]string{"-x", "c++", "-std=c++98"}, true, true, true},
	{[]string{"-x", "c++", "-std=gnu++17"}, false, false, false},
}

// TestDirectivesOnlyMissesAreCaught: on random sources of lexerTraps, with
// LF, CRLF or CR line ends, wherever gcc's full preprocessing enters a
// header that the scan does not list (the scan's directives-only mode did
// not enter it, or its marker went unread; a mode that fails sends the
// scan to a plain -E), the scan's output checks (unreadDirective) or the
// file's spellings counted for the mode (as wrapper's scanMayMiss counts
// them) must catch it.
func TestDirectivesOnlyMissesAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gcc 3,000 times")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"b/x.h": "int xh;\n", "b/y.h": "int yh;\n"})
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		src := trapSource(rng)
		if err := os.WriteFile(filepath.Join(dir, "w.c"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		hidden := hiddenSpellings(src)
		for _, m := range trapModes {
			_, out, ok := preprocessTrap(dir, append(slices.Clone(m.args), "-fdirectives-only"))
			full, _, fullOK := preprocessTrap(dir, m.args)
			listed := markers(out)
			if !ok || !fullOK || !slices.ContainsFunc(full, func(h string) bool { return !slices.Contains(listed, h) }) {
				continue
			}
			dirOnly := listed
			if !unreadDirective(out) && !m.counts(hidden) {
				t.Errorf("%v: the compile enters %q, the scan %q, and nothing tells: %q", m.args, full, dirOnly, src)
			}
		}
	}
}

// counts says whether one of hidden counts in the mode.
func (m trapMode) counts(hidden []string) bool {
	for _, h := range hidden {
		switch {
		case h == HiddenTrigraph && !m.trigraphs, h == HiddenRawString && !m.noRaw, h == HiddenDigitSep && !m.noDigitSeps:
		default:
			return true
		}
	}
	return false
}

// beforeInclude are lines that may run on into the next.
var beforeInclude = []string{"\\", "int a; \\", "// c \\", "/* c */", "x = 'a';", ""}

// trapSource joins random lexerTraps with one kind of line end: 3 to 10
// of them, or (half the time) an include between two #if 0 groups of 1
// to 3 each, where text one group leaves open may reach into the next,
// after one of beforeInclude.
func trapSource(rng *rand.Rand) []byte {
	var b strings.Builder
	some := func(lo, hi int) {
		for range lo + rng.IntN(hi-lo+1) {
			b.WriteString(lexerTraps[rng.IntN(len(lexerTraps))] + "\n")
		}
	}
	if rng.IntN(2) == 0 {
		some(3, 10)
	} else {
		b.WriteString("#if 0\n")
		some(1, 3)
		b.WriteString("#endif\n" + beforeInclude[rng.IntN(len(beforeInclude))] + "\n#include <x.h>\n#if 0\n")
		some(1, 3)
		b.WriteString("#endif\n")
	}
	return []byte(strings.ReplaceAll(b.String(), "\n", []string{"\n", "\r\n", "\r"}[rng.IntN(3)]))
}

// preprocessTrap runs gcc -E on w.c and returns the headers under b/ that
// its output enters, found by name rather than by the scan's own reading
// of markers, which is under test too.
func preprocessTrap(dir string, args []string) (headers []string, out []byte, ok bool) {
	cmd := exec.Command("gcc", append(append([]string{"-Ib", "-E"}, args...), "w.c")...)
	cmd.Dir = dir
	var o bytes.Buffer
	cmd.Stdout = &o
	err := cmd.Run()
	for _, h := range []string{"b/x.h", "b/y.h"} {
		if bytes.Contains(o.Bytes(), []byte("\""+h+"\" 1")) {
			headers = append(headers, h)
		}
	}
	return headers, o.Bytes(), err == nil
}

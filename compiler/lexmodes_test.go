package compiler

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// checkLexMode checks what ask answers for each compile command (the
// source one of the files, in a directory that holds them) against want,
// and, where gcc is installed, against what gcc does: each file compiles
// only where the mode reads what it tests.
func checkLexMode(t *testing.T, files map[string]string, ask func(*Invocation) bool, want map[string]bool) {
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, noGCC := exec.LookPath("gcc")
	for cmd, yes := range want {
		argv := strings.Fields(cmd)
		inv, err := Parse(append(argv[:len(argv):len(argv)], "-c"), dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := ask(inv); got != yes {
			t.Errorf("%q: %v, want %v", cmd, got, yes)
		}
		if noGCC != nil {
			continue
		}
		c := exec.Command(argv[0], append(argv[1:], "-fsyntax-only")...)
		c.Dir = dir
		if compiles := c.Run() == nil; compiles != yes {
			t.Errorf("%q: gcc compiles the test's source: %v, the test wants %v", cmd, compiles, yes)
		}
	}
}

// TestMayReadTrigraphs: what turns gcc's trigraphs on ("??=define" is a
// directive only then).
func TestMayReadTrigraphs(t *testing.T) {
	src := "??=define X 1\nint v = X;\n"
	checkLexMode(t, map[string]string{"t.c": src, "t.cc": src}, (*Invocation).MayReadTrigraphs, map[string]bool{
		"gcc t.c": false, "gcc -std=gnu11 t.c": false, "g++ -std=gnu++14 t.cc": false, "g++ -std=c++17 t.cc": false,
		"g++ -std=c++2b t.cc": false, "gcc -Wtrigraphs t.c": false, "gcc -Wno-trigraphs t.c": false,
		"gcc -std=c11 t.c": true, "gcc -std=c99 t.c": true, "gcc -std=c2x t.c": true, "gcc -std=iso9899:1990 t.c": true,
		"gcc --std=c89 t.c": true, "g++ -std=c++14 t.cc": true, "g++ -std=c++98 t.cc": true, "gcc -ansi t.c": true,
		"gcc -trigraphs t.c": true, "gcc -Wp,-trigraphs t.c": true, "gcc -Xpreprocessor -trigraphs t.c": true,
		"gcc -Wp,-DX0,-trigraphs t.c": true, "gcc -Wp,-std=c11 t.c": true, "gcc -Wp,-DX0 t.c": false,
	})
}

// TestMayLackLineComments: where gcc reads "//" as a division and the
// start of a block comment (C90), which gcc's directives-only mode never
// does.
func TestMayLackLineComments(t *testing.T) {
	src := "int v = 4 //* a comment in C90 */ 2;\n"
	checkLexMode(t, map[string]string{"t.c": src, "t.cc": src}, (*Invocation).MayLackLineComments, map[string]bool{
		"gcc t.c": false, "gcc -std=gnu89 t.c": false, "gcc -std=c99 t.c": false, "g++ t.cc": false,
		"g++ -ansi t.cc": false, "g++ -std=c++98 t.cc": false,
		"gcc -std=c89 t.c": true, "gcc --std=c90 t.c": true, "gcc -ansi t.c": true, "gcc -std=iso9899:199409 t.c": true,
		"gcc -std=iso9899:1990 t.c": true, "gcc -Wp,-std=c89 t.c": true, "gcc -Wp,-DX0,-ansi t.c": true,
		"gcc -Xpreprocessor -std=c90 t.c": true,
	})
}

// TestMayLackRawStrings: where gcc reads R"(...)" as other than a raw
// string literal (one that spans lines compiles only where it is one).
func TestMayLackRawStrings(t *testing.T) {
	src := "const char *s = R\"(a\nb)\";\n"
	lacks := func(inv *Invocation) bool { return !inv.MayLackRawStrings() }
	checkLexMode(t, map[string]string{"r.c": src, "r.cc": src}, lacks, map[string]bool{
		"gcc r.c": true, "gcc -std=gnu99 r.c": true, "gcc -std=gnu11 r.c": true, "gcc -std=gnu2x r.c": true,
		"gcc -std=gnu89 r.c": false, "gcc -std=c99 r.c": false, "gcc -std=c11 r.c": false, "gcc -std=c17 r.c": false,
		"gcc -ansi r.c": false, "gcc -std=iso9899:1999 r.c": false,
		"g++ r.cc": true, "g++ -std=c++11 r.cc": true, "g++ -std=gnu++14 r.cc": true, "g++ -std=c++0x r.cc": true,
		"g++ -std=c++98 r.cc": false, "g++ -std=gnu++98 r.cc": false, "g++ -std=c++03 r.cc": false, "g++ -ansi r.cc": false,
	})
}

// TestMayLackDigitSeparators: where gcc reads the ' of 1'000 as other than
// a digit separator.
func TestMayLackDigitSeparators(t *testing.T) {
	src := "int n = 1'000;\n"
	has := func(inv *Invocation) bool { return !inv.MayLackDigitSeparators() }
	checkLexMode(t, map[string]string{"d.c": src, "d.cc": src}, has, map[string]bool{
		"gcc d.c": false, "gcc -std=gnu17 d.c": false, "gcc -std=c11 d.c": false, "gcc -std=c2x d.c": true,
		"gcc -std=gnu2x d.c": true, "gcc -std=c2x -ansi d.c": false, "gcc --std=c2x d.c": true,
		"g++ d.cc": true, "g++ -std=c++14 d.cc": true, "g++ -std=gnu++17 d.cc": true, "g++ -std=c++1y d.cc": true,
		"g++ -std=c++11 d.cc": false, "g++ -std=gnu++11 d.cc": false, "g++ -std=c++98 d.cc": false, "g++ -ansi d.cc": false,
	})
}

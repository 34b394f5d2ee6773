package compiler

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMayReadTrigraphs: what turns gcc's trigraphs on; where gcc is
// installed, each answer is checked against it too (it accepts a
// "??=define" only with trigraphs on).
func TestMayReadTrigraphs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "t.c")
	if err := os.WriteFile(src, []byte("??=define X 1\nint v = X;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, noGCC := exec.LookPath("gcc")
	for args, want := range map[string]bool{
		"": false, "-std=gnu11": false, "-x c++ -std=gnu++14": false, "-x c++ -std=c++17": false,
		"-x c++ -std=c++2b": false, "-Wtrigraphs": false, "-Wno-trigraphs": false,
		"-std=c11": true, "-std=c99": true, "-std=c2x": true, "-std=iso9899:1990": true, "--std=c89": true,
		"-x c++ -std=c++14": true, "-x c++ -std=c++98": true, "-ansi": true, "-trigraphs": true,
		"-Wp,-trigraphs": true, "-Xpreprocessor -trigraphs": true,
	} {
		inv, err := Parse(append([]string{"gcc", "-c", "t.c"}, strings.Fields(args)...), dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := inv.MayReadTrigraphs(); got != want {
			t.Errorf("%q: MayReadTrigraphs = %v, want %v", args, got, want)
		}
		if noGCC != nil {
			continue
		}
		cmd := exec.Command("gcc", append(strings.Fields(args), "-fsyntax-only", src)...)
		if on := cmd.Run() == nil; on != want {
			t.Errorf("%q: gcc reads trigraphs: %v, the test wants %v", args, on, want)
		}
	}
}

// TestMayLackRawStrings: where gcc reads R"(...)" as a raw string literal;
// where gcc is installed, each answer is checked against it too (a raw
// string that spans lines compiles only where it is one).
func TestMayLackRawStrings(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.c"), []byte("const char *s = R\"(a\nb)\";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "r.cc"), []byte("const char *s = R\"(a\nb)\";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, noGCC := exec.LookPath("gcc")
	for cmd, lack := range map[string]bool{
		"gcc r.c": false, "gcc -std=gnu99 r.c": false, "gcc -std=gnu11 r.c": false, "gcc -std=gnu2x r.c": false,
		"gcc -std=gnu89 r.c": true, "gcc -std=c99 r.c": true, "gcc -std=c11 r.c": true, "gcc -std=c17 r.c": true,
		"gcc -ansi r.c": true, "gcc -std=iso9899:1999 r.c": true,
		"g++ r.cc": false, "g++ -std=c++11 r.cc": false, "g++ -std=gnu++14 r.cc": false, "g++ -std=c++0x r.cc": false,
		"g++ -std=c++98 r.cc": true, "g++ -std=gnu++98 r.cc": true, "g++ -std=c++03 r.cc": true, "g++ -ansi r.cc": true,
	} {
		argv := strings.Fields(cmd)
		inv, err := Parse(append(argv[:len(argv):len(argv)], "-c"), dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := inv.MayLackRawStrings(); got != lack {
			t.Errorf("%q: MayLackRawStrings = %v, want %v", cmd, got, lack)
		}
		if noGCC != nil {
			continue
		}
		c := exec.Command(argv[0], append(argv[1:], "-fsyntax-only")...)
		c.Dir = dir
		if raw := c.Run() == nil; raw == lack {
			t.Errorf("%q: gcc reads a raw string: %v, the test wants %v", cmd, raw, !lack)
		}
	}
}

// TestMayLackDigitSeparators: where gcc reads 1'000 as a number; where gcc
// is installed, each answer is checked against it too.
func TestMayLackDigitSeparators(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"d.c", "d.cc"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("int n = 1'000;\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, noGCC := exec.LookPath("gcc")
	for cmd, lack := range map[string]bool{
		"gcc d.c": true, "gcc -std=gnu17 d.c": true, "gcc -std=c11 d.c": true, "gcc -std=c2x d.c": false,
		"gcc -std=gnu2x d.c": false, "gcc -std=c2x -ansi d.c": true, "gcc --std=c2x d.c": false,
		"g++ d.cc": false, "g++ -std=c++14 d.cc": false, "g++ -std=gnu++17 d.cc": false, "g++ -std=c++1y d.cc": false,
		"g++ -std=c++11 d.cc": true, "g++ -std=gnu++11 d.cc": true, "g++ -std=c++98 d.cc": true, "g++ -ansi d.cc": true,
	} {
		argv := strings.Fields(cmd)
		inv, err := Parse(append(argv[:len(argv):len(argv)], "-c"), dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := inv.MayLackDigitSeparators(); got != lack {
			t.Errorf("%q: MayLackDigitSeparators = %v, want %v", cmd, got, lack)
		}
		if noGCC != nil {
			continue
		}
		c := exec.Command(argv[0], append(argv[1:], "-fsyntax-only")...)
		c.Dir = dir
		if sep := c.Run() == nil; sep == lack {
			t.Errorf("%q: gcc reads a digit separator: %v, the test wants %v", cmd, sep, !lack)
		}
	}
}

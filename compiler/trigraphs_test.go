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

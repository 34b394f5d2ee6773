package compiler

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParse feeds argv (one argument per line) to Parse. Parse must not
// panic, and a remotable result must be self-consistent and parse back to
// the same compile from its remote arguments.
func FuzzParse(f *testing.F) {
	f.Add("gcc\n-c\na.c")
	f.Add("g++\n-c\nsrc/a.cc\n-o\nobj/a.o\n-MD\n-MF\nobj/a.d\n-Iinc")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		argv := strings.Split(s, "\n")
		inv, err := Parse(argv, dir)
		if err != nil || !inv.Remotable {
			return
		}
		if inv.Source == "" || inv.Output == "" || len(inv.Outputs) == 0 || inv.Outputs[0] != inv.Output {
			t.Fatalf("inconsistent remotable invocation: %+v", inv)
		}
		// The scan command ends in -M; with -c in its place it must be a
		// compile that writes the default object and nothing else.
		deps := inv.DepsArgs()
		if deps[len(deps)-1] != "-M" {
			t.Fatalf("DepsArgs = %q", deps)
		}
		scan, err := Parse(append(deps[:len(deps)-1:len(deps)-1], "-c"), dir)
		if err != nil || !scan.Remotable || len(scan.Outputs) != 1 ||
			scan.Output != replaceExt(filepath.Base(inv.Source), ".o") {
			t.Fatalf("DepsArgs = %q: %v %+v", deps, err, scan)
		}
		again, err := Parse(inv.RemoteArgs(func(p string) string { return p }), dir)
		if err != nil || !again.Remotable {
			t.Fatalf("RemoteArgs do not parse back: %v %+v", err, again)
		}
		if again.Source != inv.Source || again.Output != inv.Output ||
			!slices.Equal(again.Outputs, inv.RemoteOutputs()) || again.DepFile != "" {
			t.Fatalf("RemoteArgs changed the compile: %+v -> %+v", inv, again)
		}
	})
}

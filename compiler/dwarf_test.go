package compiler

import (
	"strings"
	"testing"
)

// splitDwarfCases are -g orders whose .dwo (or its absence) the model must
// predict; TestSplitDwarfMatchesRealCompilers compiles each with the real
// gcc and clang and compares Outputs with what appeared.
var splitDwarfCases = []string{
	"-gsplit-dwarf",
	"-gsplit-dwarf -g0",
	"-g -gsplit-dwarf -g0",
	"-g -gsplit-dwarf -ggdb0",
	"-gsplit-dwarf -g",
	"-g0 -gsplit-dwarf -g",
	"-g -gsplit-dwarf -gno-split-dwarf",
	"-g -gno-split-dwarf -gsplit-dwarf",
	"-gsplit-dwarf -g1",
	"-gsplit-dwarf -gdwarf-4",
	"-gsplit-dwarf -ggdb3",
	"-gsplit-dwarf -gz",
	"-gsplit-dwarf -gcolumn-info",
	"-gsplit-dwarf -gno-record-gcc-switches",
	"-g -gsplit-dwarf -g0 -gz",
	"-g -gsplit-dwarf -g0 -gdwarf-4",
}

func TestSplitDwarfMatchesRealCompilers(t *testing.T) {
	for _, cc := range []string{"gcc", "clang"} {
		for _, c := range splitDwarfCases {
			t.Run(cc+" "+c, func(t *testing.T) {
				requireCompiler(t, cc)
				t.Parallel()
				checkOutputs(t, cc, "-c src/a.c -o obj/x.o "+c)
			})
		}
	}
}

// TestSplitDwarfClangOnly covers the clang-only forms (gcc rejects them).
func TestSplitDwarfClangOnly(t *testing.T) {
	for _, c := range []string{
		"-gsplit-dwarf -gline-tables-only",
		"-g -gsplit-dwarf -gline-directives-only",
		"-gsplit-dwarf -gmodules -g0",
		"-gsplit-dwarf -gno-inline-line-tables",
	} {
		t.Run(c, func(t *testing.T) {
			requireCompiler(t, "clang")
			t.Parallel()
			checkOutputs(t, "clang", "-c src/a.c -o obj/x.o "+c)
		})
	}
}

// TestSplitDwarfUnknownClangOption: a -g option the model has not checked
// keeps a clang split-dwarf compile local, but not a gcc one (gcc writes
// the .dwo whatever the level).
func TestSplitDwarfUnknownClangOption(t *testing.T) {
	for _, tt := range []struct {
		cmd       string
		remotable bool
	}{
		{"clang -c a.c -gsplit-dwarf -gfoo-bar", false},
		{"clang -c a.c -gfoo-bar", true},
		{"gcc -c a.c -gsplit-dwarf -gfoo-bar", true},
	} {
		inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if inv.Remotable != tt.remotable {
			t.Errorf("%s: Remotable = %v (%s), want %v", tt.cmd, inv.Remotable, inv.Reason, tt.remotable)
		}
	}
}

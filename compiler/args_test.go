package compiler

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mark rewrites a path visibly so tests see which arguments were rewritten.
func mark(p string) string { return "R(" + p + ")" }

func TestRemoteArgs(t *testing.T) {
	tests := []struct {
		cmd, want string
	}{
		{"gcc -c a.c", "gcc -c R(a.c)"},
		{"g++ -c src/a.cc -o obj/a.o -Iinc -I inc2 -DX -D Y -std=c++17",
			"g++ -c R(src/a.cc) -o R(obj/a.o) -IR(inc) -I R(inc2) -DX -D Y -std=c++17"},
		{"gcc -c a.c -oobj/a.o -isystem s -isystemS -iquote q -iquoteq -idirafter d -idirafterd",
			"gcc -c R(a.c) -oR(obj/a.o) -isystem R(s) -isystemR(S) -iquote R(q) -iquoteR(q) -idirafter R(d) -idirafterR(d)"},
		{"gcc -c a.c --sysroot=/r --sysroot /r -include c.h -includec.h -imacros m.h -L l -isysroot x",
			"gcc -c R(a.c) --sysroot=R(/r) --sysroot R(/r) -include R(c.h) -includeR(c.h) -imacros R(m.h) -L R(l) -isysroot R(x)"},
		// The remote command writes no dependency file: the scan does.
		{"gcc -c a.c -o /abs/x.o -MD", "gcc -c R(a.c) -o R(/abs/x.o)"},
		{"gcc -c a.c -MMD -MF d/a.d -MP", "gcc -c R(a.c)"},
		{"gcc -c a.c -MD -MFd/a.d -MT t$ -MQq", "gcc -c R(a.c)"},
		{"gcc -c a.c -o x.o -Wp,-MD,dep.d", "gcc -c R(a.c) -o R(x.o)"},
		{"clang -c a.c -o x.o -Wp,-MMD,dep.d,-DX", "clang -c R(a.c) -o R(x.o) -Wp,-DX"},
		{"gcc -c a.c -I=inc -isystem =sys --sysroot=/r", "gcc -c R(a.c) -I=inc -isystem =sys --sysroot=R(/r)"},
		{"gcc -x c++ -c a.txt -Xclang -fcolor-diagnostics -ffile-prefix-map=/a=b",
			"gcc -x c++ -c R(a.txt) -Xclang -fcolor-diagnostics -ffile-prefix-map=/a=b"},
	}
	for _, tt := range tests {
		inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if !inv.Remotable {
			t.Fatalf("Parse(%q) not remotable: %s", tt.cmd, inv.Reason)
		}
		if diff := cmp.Diff(strings.Fields(tt.want), inv.RemoteArgs(mark)); diff != "" {
			t.Errorf("RemoteArgs(%q) mismatch (-want +got):\n%s", tt.cmd, diff)
		}
	}
}

// TestScanArgs: the scan preprocesses to stdout, keeps the dependency
// options, writes the file to the path given and pins the target a compile
// would name.
func TestScanArgs(t *testing.T) {
	tests := []struct {
		cmd, want string
	}{
		{"gcc -c a.c -o x.o -g -gsplit-dwarf", "gcc a.c -g -fdirectives-only -dD -E"},
		{"gcc -c a.c -o /abs/x.o -MD", "gcc a.c -MD -MF D -MQ /abs/x.o -fdirectives-only -dD -E"},
		{"gcc -c a.c -MMD -MF d/a.d -MP -g", "gcc a.c -MMD -MF D -MP -g -MQ a.o -fdirectives-only -dD -E"},
		{"gcc -c a.c -MD -MFd/a.d -MT t$ -MQq", "gcc a.c -MD -MFD -MT t$ -MQq -fdirectives-only -dD -E"},
		{"gcc -c a.c -o x.o -Wp,-MD,dep.d", "gcc a.c -Wp,-MD,D -fdirectives-only -dD -E"},
		{"gcc -c a.i", "gcc a.i -dD -E"},
		{"g++ -x c++-cpp-output -c a.x", "g++ -x c++-cpp-output a.x -dD -E"},
		{"clang -c a.c -o x.o -Wp,-MMD,dep.d,-DX", "clang a.c -Wp,-MMD,D,-DX -MQ x.o -dD -E"},
	}
	for _, tt := range tests {
		inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Fields(tt.want), inv.ScanArgs("D")); diff != "" {
			t.Errorf("ScanArgs(%q) mismatch (-want +got):\n%s", tt.cmd, diff)
		}
	}
}

func TestDepsArgs(t *testing.T) {
	tests := []struct {
		cmd, want string
	}{
		{"gcc -c a.c", "gcc a.c -M"},
		{"g++ -O2 -c src/a.cc -o obj/a.o -MD -MF obj/a.d -MT t -MQ q -MP -Iinc",
			"g++ -O2 src/a.cc -Iinc -M"},
		{"gcc -c a.c -oa.o -MMD -MFa.d -MTt -gsplit-dwarf -g -ftest-coverage -fstack-usage",
			"gcc a.c -g -M"},
		{"gcc -c a.c -Wp,-MD,x.d", "gcc a.c -M"},
		{"gcc -c a.c -Wp,-MD,x.d,-DX,-MP,-MT,t", "gcc a.c -Wp,-DX -M"},
		{"gcc -x c -c a.cc -include p.h", "gcc -x c a.cc -include p.h -M"},
	}
	for _, tt := range tests {
		inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Fields(tt.want), inv.DepsArgs()); diff != "" {
			t.Errorf("DepsArgs(%q) mismatch (-want +got):\n%s", tt.cmd, diff)
		}
	}
}

// OptionValues reads values as the parse does: -MT's argument that looks
// like an -I option is none.
func TestOptionValues(t *testing.T) {
	inv, err := Parse([]string{"gcc", "-MD", "-MT", "-Inot", "-Ia", "-I", "b", "-include", "x.h", "-c", "a.c", "-o", "a.o"}, "/w")
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.OptionValues("-I"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf(`OptionValues("-I") = %q, want [a b]`, got)
	}
	if got := inv.OptionValues("-include", "-isystem"); !slices.Equal(got, []string{"x.h"}) {
		t.Errorf(`OptionValues("-include", "-isystem") = %q, want [x.h]`, got)
	}
}

// TestMacroArgs: the listing of a compile's macros preprocesses to stdout
// with -dD and writes no file, whatever dependency options the compile has.
func TestMacroArgs(t *testing.T) {
	inv, err := Parse(strings.Fields("clang -c a.c -o x.o -MD -MF a.d -DX -Iinc"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields("clang a.c -DX -Iinc -dD -E")
	if diff := cmp.Diff(want, inv.MacroArgs()); diff != "" {
		t.Errorf("MacroArgs mismatch (-want +got):\n%s", diff)
	}
}

// TestDepsOmitSystem: -MMD, also through -Wp, writes a dependency file
// without system headers; -MD, and no dependency file, do not say so.
func TestDepsOmitSystem(t *testing.T) {
	for cmd, want := range map[string]bool{
		"clang -c a.c -MMD":             true,
		"clang -c a.c -Wp,-MMD,a.d":     true,
		"gcc -c a.c -MMD -MF x.d -MP":   true,
		"clang -c a.c -MD":              false,
		"clang -c a.c -Wp,-MD,a.d":      false,
		"clang -c a.c -MF a.d":          false,
		"clang++ -c a.cpp -o a.o -DX=1": false,
	} {
		inv, err := Parse(strings.Fields(cmd), t.TempDir())
		if err != nil || !inv.Remotable {
			t.Fatalf("%s: %v %s", cmd, err, inv.Reason)
		}
		if inv.DepsOmitSystem != want {
			t.Errorf("%s: DepsOmitSystem = %v, want %v", cmd, inv.DepsOmitSystem, want)
		}
	}
}

func TestSearchArgs(t *testing.T) {
	tests := []struct {
		cmd, want string
	}{
		{"gcc -c a.c -o x.o -Iinc -include cfg.h -imacros m.h -isystem sys -MD -MF a.d -DX",
			"gcc -x c /dev/null -Iinc -isystem sys -DX -E -v"},
		{"g++ -nostdinc++ -Wp,-MMD,dep.d,-DY -c a.cpp", "g++ -nostdinc++ -Wp,-DY -x c++ /dev/null -E -v"},
		{"clang --sysroot=/s -c a.S -o a.o", "clang --sysroot=/s -x assembler-with-cpp /dev/null -E -v"},
	}
	for _, tt := range tests {
		inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Fields(tt.want), inv.SearchArgs()); diff != "" {
			t.Errorf("SearchArgs(%q) mismatch (-want +got):\n%s", tt.cmd, diff)
		}
	}
}

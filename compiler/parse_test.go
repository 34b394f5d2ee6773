package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// summary is the part of an Invocation the table tests compare.
type summary struct {
	Remotable bool
	Reason    string
	Family    Family
	Lang      string
	Source    string
	Output    string
	Outputs   []string
	DepFile   string
}

func summarize(inv *Invocation) summary {
	return summary{inv.Remotable, inv.Reason, inv.Family, inv.Lang, inv.Source, inv.Output, inv.Outputs, inv.DepFile}
}

func ok(fam Family, lang, src, out string, outputs ...string) summary {
	dep := ""
	for _, o := range outputs {
		if strings.HasSuffix(o, ".d") || strings.HasSuffix(o, ".mk") {
			dep = o
		}
	}
	return summary{Remotable: true, Family: fam, Lang: lang, Source: src, Output: out,
		Outputs: append([]string{out}, outputs...), DepFile: dep}
}

func local(fam Family, reason string) summary {
	return summary{Family: fam, Reason: reason}
}

func TestParseRemotable(t *testing.T) {
	tests := []parseCase{
		{"gcc -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"g++ -c src/a.cc -o obj/a.o", ok(GCC, "c++", "src/a.cc", "obj/a.o")},
		{"/usr/bin/gcc-12 -c a.c -oout.o", ok(GCC, "c", "a.c", "out.o")},
		{"x86_64-linux-gnu-g++-12 -O2 -c x.cpp", ok(GCC, "c++", "x.cpp", "x.o")},
		{"clang++-14 -std=c++17 -c dir/x.cxx", ok(Clang, "c++", "dir/x.cxx", "x.o")},
		{"clang -c x.C", ok(Clang, "c++", "x.C", "x.o")},
		{"g++ -c a.c", ok(GCC, "c++", "a.c", "a.o")},
		{"gcc -x c++ -c a.txt", ok(GCC, "c++", "a.txt", "a.o")},
		{"gcc -xc -c a.cc", ok(GCC, "c", "a.cc", "a.o")},
		{"gcc -c a.i", ok(GCC, "c", "a.i", "a.o")},
		{"g++ -c a.ii", ok(GCC, "c++", "a.ii", "a.o")},
		{"gcc -c a.c -MD", ok(GCC, "c", "a.c", "a.o", "a.d")},
		{"gcc -c a.c -o o/x.obj -MMD -MP", ok(GCC, "c", "a.c", "o/x.obj", "o/x.d")},
		{"gcc -c a.c -o o.dir/x -MD", ok(GCC, "c", "a.c", "o.dir/x", "o.dir/x.d")},
		{"gcc -c a.c -o x.o -MD -MF deps.mk", ok(GCC, "c", "a.c", "x.o", "deps.mk")},
		{"gcc -c a.c -o x.o -MD -MFdeps.mk -MT t -MQ q", ok(GCC, "c", "a.c", "x.o", "deps.mk")},
		{"gcc -c a.c -o x.o -Wp,-MD,x.mk", ok(GCC, "c", "a.c", "x.o", "x.mk")},
		{"gcc -c a.c -o x.o -gsplit-dwarf", ok(GCC, "c", "a.c", "x.o", "x.dwo")},
		{"clang -c a.c -o x.o -gsplit-dwarf", ok(Clang, "c", "a.c", "x.o")},
		{"clang -c a.c -o x.o -g -gsplit-dwarf", ok(Clang, "c", "a.c", "x.o", "x.dwo")},
		{"gcc -c a.c -o o/x.y.o -ftest-coverage -fstack-usage", ok(GCC, "c", "a.c", "o/x.y.o", "o/x.y.gcno", "o/x.y.su")},
		{"gcc -c a.c -ftest-coverage", ok(GCC, "c", "a.c", "a.o", "a.gcno")},
		{"gcc -c a.c -DX -D Y=1 -UZ -U W -Iinc -I inc2 -isystem s -isystemS -iquote q -idirafter d " +
			"--sysroot=/r --sysroot /r -include c.h -imacros m.h -includec2.h", ok(GCC, "c", "a.c", "a.o")},
		{"cc -O3 -g3 -ggdb -Wall -Wextra -Werror=format -Wno-unused -fPIC -fno-exceptions -fvisibility=hidden " +
			"-m64 -march=x86-64-v2 -mtune=generic -pedantic -pthread -pipe -w -std=gnu11 -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"c++ -fdiagnostics-color=always -ffile-prefix-map=/a=b -fdebug-prefix-map=/a=b -fmacro-prefix-map=/a=b " +
			"-Wp,-DFOO -Xpreprocessor -DBAR -Wl,--as-needed -Wa,--noexecstack -c x.cc", ok(GCC, "c++", "x.cc", "x.o")},
		{"clang -target x86_64-linux-gnu --target=x86_64-linux-gnu -Xclang -fcolor-diagnostics -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"clang -mllvm -inline-threshold=100 -Qunused-arguments -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"gcc -O -Os -Ofast -Og -g0 -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -c a.c -lm -l z -L/usr/lib", ok(GCC, "c", "a.c", "a.o")},
	}
	runParseTable(t, tests)
}

func TestParseLocal(t *testing.T) {
	tests := []parseCase{
		{"gcc a.c -o a", local(GCC, "not a compile (no -c): link")},
		{"gcc -E a.c", local(GCC, "-E")},
		{"gcc -S a.c", local(GCC, "-S")},
		{"gcc -M a.c", local(GCC, "-M without -MD")},
		{"gcc -MM -c a.c", local(GCC, "-MM without -MMD")},
		{"gcc -MD -MF - -c a.c", local(GCC, "dependency rule to stdout")},
		{"gcc -Wp,-MD,- -c a.c", local(GCC, "dependency rule to stdout")},
		{"gcc -save-temps -c a.c", local(GCC, "-save-temps")},
		{"gcc -save-temps=obj -c a.c", local(GCC, "-save-temps")},
		{"gcc -march=native -c a.c", local(GCC, "-march=native")},
		{"gcc -mtune=native -c a.c", local(GCC, "-mtune=native")},
		{"clang -mcpu=native -c a.c", local(Clang, "-mcpu=native")},
		{"gcc -c -", local(GCC, "input from stdin")},
		{"gcc -Werror -c -x c /dev/null -o .tmp_1/tmp", local(GCC, "compiler probe: the source is /dev/null")},
		{"gcc -c a.c b.c", local(GCC, "several sources")},
		{"gcc -c a.h", local(GCC, "precompiled header")},
		{"g++ -x c++-header -c a.hpp", local(GCC, "precompiled header")},
		{"gcc -c a.c -fprofile-use", local(GCC, "profile feedback")},
		{"gcc -c a.c -fprofile-generate=dir", local(GCC, "profile feedback")},
		{"gcc -c a.c -fauto-profile", local(GCC, "profile feedback")},
		{"gcc -c a.c -O2 -fbranch-probabilities", local(GCC, "profile feedback")},
		{"gcc -c a.c --coverage", local(GCC, coverageReason)},
		{"clang -c a.c -fprofile-arcs", local(Clang, coverageReason)},
		{"gcc -c a.c -fplugin=foo.so", local(GCC, "compiler plugin")},
		{"gcc -c a.c -specs=x.specs", local(GCC, "-specs")},
		{"gcc -c a.c -wrapper gdb", local(GCC, "-wrapper")},
		{"gcc --help", local(GCC, "--help")},
		{"gcc --version", local(GCC, "--version")},
		{"gcc -### -c a.c", local(GCC, "-###")},
		{"gcc -v -c a.c", local(GCC, "-v")},
		{"gcc -c a.c -frobnicate-unknown-thing -zzz", local(GCC, "unknown option -zzz")},
		{"gcc -c a.c --frob", local(GCC, "unknown option --frob")},
		{"gcc -c a.c -o", local(GCC, "missing argument to -o")},
		{"gcc -c a.c -o x.o -o y.o", local(GCC, "several -o")},
		{"gcc -c a.c -o -", local(GCC, "output to stdout")},
		{"gcc -c a.s", local(GCC, "unsupported input a.s")},
		{"gcc -c a.c b.o", local(GCC, "linker input with -c: b.o")},
		{"gcc -o a a.o libz.a -L. libz.so.1.2", local(GCC, "not a compile (no -c): link")},
		{"gcc -o conftest -g -O2 -pthread conftest.c -lpthread -lz", local(GCC, "not a compile (no -c): link")},
		{"gcc -c a.c -l", local(GCC, "missing argument to -l")},
		{"gcc -c a.c -o /dev/null", local(GCC, "output to a device: /dev/null")},
		{"gcc -c a.c -MD -MF /dev/null", local(GCC, "output to a device: /dev/null")},
		{"gcc -c", local(GCC, "no source file")},
		{"gcc -x assembler -c a.c", local(GCC, "language assembler")},
		{"clang -Xclang -emit-pch -c a.c", local(Clang, "unsupported -Xclang -emit-pch")},
		{"gcc -Wa,-adhln=x.lst -c a.c", local(GCC, "unsupported -Wa,-adhln=x.lst")},
		{"gcc -Wp,-dD -c a.c", local(GCC, "unsupported -Wp,-dD")},
		{"gcc -Xpreprocessor -MD -c a.c", local(GCC, "unsupported -Xpreprocessor -MD")},
		{"gcc -MD -Wp,-MD,x.d -c a.c", local(GCC, "both -MD and -Wp,-MD")},
		{"clang -fmodules -c a.c", local(Clang, "modules")},
		{"clang -c a.c -frecord-gcc-switches", local(Clang, "command line embedded in object")},
		{"gcc -c a.c -fdump-tree-all", local(GCC, "dump files")},
		{"gcc -c a.c -fsyntax-only", local(GCC, "-fsyntax-only")},
		{"clang -gsplit-dwarf=single -g -c a.c", local(Clang, "-gsplit-dwarf=")},
		{"clang -fsanitize-coverage-allowlist=al.txt -c a.c", local(Clang, "extra input file")},
		{"ld -o a a.o", local(Unknown, "unknown compiler ld")},
		{"gcc-ar rcs x.a", local(Unknown, "unknown compiler gcc-ar")},
		{"/opt/icc -c a.c", local(Unknown, "unknown compiler icc")},
	}
	runParseTable(t, tests)
}

// parseCase is one command line and what Parse should make of it.
type parseCase struct {
	cmd  string
	want summary
}

func runParseTable(t *testing.T, tests []parseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(inv)); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.cmd, diff)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	if _, err := Parse(nil, "."); err != ErrEmpty {
		t.Fatalf("Parse(nil) error = %v, want ErrEmpty", err)
	}
	inv, err := Parse([]string{"gcc", "", "-c", "a.c"}, ".")
	if err != nil || inv.Remotable || inv.Reason != "empty argument" {
		t.Fatalf("Parse with empty argument = %+v, %v", inv, err)
	}
}

// TestParsePrecompiledInclude: with foo.h.gch (or .pch) next to an
// -include header the compiler reads the precompiled form, which the
// dependency scan does not see.
func TestParsePrecompiledInclude(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"pch.h", "pch.h.gch", "plain.h"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for cmd, want := range map[string]string{
		"g++ -include pch.h -c a.cc":                      "precompiled header pch.h",
		"g++ -include" + dir + "/pch.h -c a.cc":           "precompiled header " + dir + "/pch.h",
		"g++ -include plain.h -include missing.h -c a.cc": "",
	} {
		inv, err := Parse(strings.Fields(cmd), dir)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Reason != want {
			t.Errorf("Parse(%q).Reason = %q, want %q", cmd, inv.Reason, want)
		}
	}
}

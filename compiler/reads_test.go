package compiler

import (
	"strings"
	"testing"
)

// TestParseReads: options after which the compiler reads a file the key
// does not cover, or embeds a path no prefix map rewrites, run locally.
func TestParseReads(t *testing.T) {
	const gccLTO = "gcc -flto records the working directory in the LTO bytecode"
	const sanitize = "-fsanitize records the absolute paths of inputs unmapped"
	const bitcode = "-flto records the absolute source path in the bitcode"
	toolchain := "--gcc-toolchain: " + toolsReason
	tests := []parseCase{
		{"gcc -B b -c a.c", local(GCC, toolsReason)},
		{"gcc -Bb/ -c a.c", local(GCC, toolsReason)},
		{"clang --gcc-toolchain=/opt/gcc -c a.c", local(Clang, toolchain)},
		{"clang -gcc-toolchain /opt/gcc -c a.c", local(Clang, toolchain)},
		{"clang --gcc-install-dir=/opt/gcc/lib/gcc/x86_64-linux-gnu/12 -c a.c", local(Clang, toolchain)},
		{"gcc -iprefix /p/ -iwithprefix inc -c a.c", local(GCC, "include directories from -iprefix")},
		{"gcc -iwithprefixbefore inc -c a.c", local(GCC, "include directories from -iprefix")},
		{"gcc -imultilib 32 -c a.c", local(GCC, "-imultilib")},
		{"clang -include-pch pch.h.pch -c a.c", local(Clang, "precompiled header")},
		{"clang -fprofile-instr-use=x.profdata -c a.c", local(Clang, "profile feedback")},
		{"clang -fprofile-list=fun.list -c a.c", local(Clang, "profile feedback")},
		{"clang -fsanitize-ignorelist=x.txt -c a.c", local(Clang, inputReason)},
		{"clang -fsanitize-system-ignorelist=x.txt -c a.c", local(Clang, inputReason)},
		{"clang -fbasic-block-sections=list=bb.txt -c a.c", local(Clang, inputReason)},
		{"clang -fthinlto-index=x.thinlto.bc -c a.c", local(Clang, inputReason)},
		{"clang -fembed-offload-object=dev.bin -c a.c", local(Clang, inputReason)},
		{"clang -frewrite-map-file=m.map -c a.c", local(Clang, inputReason)},
		{"clang -fsanitize-coverage-whitelist=w.txt -c a.c", local(Clang, inputReason)},
		{"clang -fthin-link-bitcode=a.thin.bc -c a.c", local(Clang, dumpReason)},
		{"g++ -fvtable-verify=std -fvtv-counts -c a.cc", local(GCC, dumpReason)},
		{"clang -fimplicit-module-maps -c a.c", local(Clang, "modules")},
		{"clang -fmemory-profile-use=m.memprofdata -c a.c", local(Clang, "profile feedback")},
		{"gcc -fplugin-arg-foo-bar=1 -c a.c", local(GCC, "compiler plugin")},
		{"clang -g -grecord-command-line -c a.c", local(Clang, recordReason)},
		{"clang -g -grecord-gcc-switches -c a.c", local(Clang, recordReason)},
		{"clang -frecord-command-line -c a.c", local(Clang, recordReason)},
		{"clang -fembed-bitcode -c a.c", local(Clang, recordReason)},
		{"gcc -flto -c a.c", local(GCC, gccLTO)},
		{"gcc -g -flto=auto -ffat-lto-objects -c a.c", local(GCC, gccLTO)},
		{"gcc -fsanitize=address -c /src/a.c", local(GCC, sanitize)},
		{"clang -fsanitize=undefined -I/src/inc -c a.c", local(Clang, sanitize)},
		{"gcc -fsanitize=address -isystem /opt/x/include -c a.c", local(GCC, sanitize)},
		{"clang -fsanitize=address -include /src/pre.h -c a.c", local(Clang, sanitize)},
		{"clang -flto -c /src/a.c", local(Clang, bitcode)},
		{"clang -flto=thin -g -c /src/a.c", local(Clang, bitcode)},
		{"gcc -Wa,-I,inc -c a.c", local(GCC, "unsupported -Wa,-I,inc")},
		{"gcc -Xassembler -I -Xassembler inc -c a.c", local(GCC, "unsupported -Xassembler -I")},
		{"gcc -Xassembler @opts -c a.c", local(GCC, "unsupported -Xassembler @opts")},
		{"gcc -Wa,-g -c a.c", local(GCC, "unsupported -Wa,-g")},
		{"gcc -Wa,--MD,x.d -c a.c", local(GCC, "unsupported -Wa,--MD,x.d")},
		{"clang -mllvm -sample-profile-file=x.prof -c a.c", local(Clang, "unsupported -mllvm -sample-profile-file=x.prof")},
		{"clang -mllvm -info-output-file=out -c a.c", local(Clang, "unsupported -mllvm -info-output-file=out")},
		{"clang -mllvm -pass-remarks-output=r.yaml -c a.c", local(Clang, "unsupported -mllvm -pass-remarks-output=r.yaml")},
		{"clang -mllvm -x=/tmp/f -c a.c", local(Clang, "unsupported -mllvm -x=/tmp/f")},
		{"clang -fsave-optimization-record -c a.c", local(Clang, dumpReason)},
		{"clang -MJ cc.json -c a.c", local(Clang, "-MJ")},
		{"gcc -fcompare-debug -c a.c", local(GCC, dumpReason)},
		{"gcc -fdiagnostics-format=json-file -c a.c", local(GCC, dumpReason)},
		{"clang -fproc-stat-report=x.csv -c a.c", local(Clang, dumpReason)},
		{"gcc -march=native+crc -c a.c", local(GCC, "-march=native")},
		{"gcc -DHAVE_X=__has_include(<x.h>) -c a.c", local(GCC, "macro -DHAVE_X=__has_include(<x.h>) uses __has_include")},
		{"gcc -D T=__TIMESTAMP__ -c a.c", local(GCC, "macro -DT=__TIMESTAMP__ uses __TIMESTAMP__")},
		{"gcc -Wp,-DH=__has_include_next(<x.h>) -c a.c", local(GCC, "macro -DH=__has_include_next(<x.h>) uses __has_include")},
		{"gcc -Xpreprocessor -DE=__has_embed(<x>) -c a.c", local(GCC, "macro -DE=__has_embed(<x>) uses __has_embed")},
		{"gcc -DD=_Pragma(\"dependency\") -c a.c", local(GCC, "macro -DD=_Pragma(\"dependency\") uses _Pragma")},
		{"gcc -DBUILT=__DATE__ -c a.c", local(GCC, "macro -DBUILT=__DATE__ uses __DATE__")},
		{"gcc -DHI=__has_##include -c a.c", local(GCC, "macro -DHI=__has_##include uses ##")},
		{"gcc -finput-charset=IBM1047 -c a.c", local(GCC, "-finput-charset=IBM1047: "+charsetReason)},
		{"gcc -finput-charset=SHIFT_JIS -c a.c", local(GCC, "-finput-charset=SHIFT_JIS: "+charsetReason)},
		{"gcc -finput-charset=UTF-16 -c a.c", local(GCC, "-finput-charset=UTF-16: "+charsetReason)},
	}
	runParseTable(t, tests)
}

// TestParseReadsRemotable: the neighbours of those options that read and
// embed nothing rex does not know stay remotable.
func TestParseReadsRemotable(t *testing.T) {
	tests := []parseCase{
		{"gcc -flto -fno-lto -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -ffat-lto-objects -g -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -fsanitize=address -Iinc -c a.c -o /abs/a.o -MD -MF /abs/a.d", ok(GCC, "c", "a.c", "/abs/a.o", "/abs/a.d")},
		{"clang -fsanitize=undefined -I=/inc -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"gcc -fsanitize-recover=all -I/src/inc -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"clang -flto -g -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"clang -flto -fno-lto -c /src/a.c", ok(Clang, "c", "/src/a.c", "a.o")},
		{"gcc -g -grecord-gcc-switches -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -frecord-gcc-switches -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"clang -mllvm -x86-asm-syntax=intel -mllvm -enable-machine-outliner -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"gcc -Xassembler --noexecstack -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -Wa,-mbranches-within-32B-boundaries,--fatal-warnings -Wa,-malign-branch-boundary=32 -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -DX=1 -DS=\"a\" -Wp,-DY -Xpreprocessor -DZ -DUSE_DEPENDENCY=1 -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -march=x86-64-v3 -mtune=generic -c a.c", ok(GCC, "c", "a.c", "a.o")},
		{"gcc -finput-charset=UTF-8 -finput-charset=iso-8859-1 -finput-charset=latin1 -finput-charset=CP1252 -c a.c", ok(GCC, "c", "a.c", "a.o")},
	}
	runParseTable(t, tests)
}

// TestParseDebugOutputs: clang writes a .dwo only with debug info on, and
// many -g options do not turn it on (checked with clang 14); the last of
// -g and -g0 wins.
func TestParseDebugOutputs(t *testing.T) {
	tests := []parseCase{
		{"clang -gz -gsplit-dwarf -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"clang -gcolumn-info -gno-record-gcc-switches -gsplit-dwarf -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"clang -g -g0 -gsplit-dwarf -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"clang -g -gsplit-dwarf -gno-split-dwarf -c a.c", ok(Clang, "c", "a.c", "a.o")},
		{"clang -g0 -ggdb3 -gsplit-dwarf -c a.c", ok(Clang, "c", "a.c", "a.o", "a.dwo")},
		{"clang -gdwarf-5 -gz=zlib -gsplit-dwarf -c a.c", ok(Clang, "c", "a.c", "a.o", "a.dwo")},
		{"clang -gline-tables-only -gsplit-dwarf -c a.c", ok(Clang, "c", "a.c", "a.o", "a.dwo")},
		{"gcc -g0 -gsplit-dwarf -c a.c", ok(GCC, "c", "a.c", "a.o", "a.dwo")},
		{"clang -gfrobnicate -gsplit-dwarf -c a.c", local(Clang, "-gsplit-dwarf with -gfrobnicate: whether clang writes the .dwo is not known")},
		{"clang -gfrobnicate -c a.c", ok(Clang, "c", "a.c", "a.o")},
	}
	runParseTable(t, tests)
}

func TestParseDebugInfo(t *testing.T) {
	for cmd, want := range map[string]bool{
		"gcc -c a.c":                               false,
		"gcc -g -c a.c":                            true,
		"gcc -g -g0 -c a.c":                        false,
		"gcc -g0 -ggdb3 -c a.c":                    true,
		"clang -gz -gcolumn-info -c a.c":           false,
		"clang -gdwarf-5 -c a.c":                   true,
		"gcc -grecord-gcc-switches -c a.c":         false,
		"clang -gline-tables-only -gz=zlib -c a.c": true,
	} {
		inv, err := Parse(strings.Fields(cmd), t.TempDir())
		if err != nil || !inv.Remotable {
			t.Fatalf("Parse(%q) = %+v, %v", cmd, inv, err)
		}
		if inv.DebugInfo != want {
			t.Errorf("Parse(%q).DebugInfo = %v, want %v", cmd, inv.DebugInfo, want)
		}
	}
}

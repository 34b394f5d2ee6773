package adversarial

import (
	"testing"
	"time"
)

// Unlisted copies of a header read once. gcc skips a file with the size,
// mtime and content of a #pragma once header it has read (a symlink to it,
// a copy made by cp -p), clang one with its inode, and -M does not list the
// copy. A worker that lacks it searches on: where another header of its
// name comes later in the search path, the worker compiles that one.
func TestOnceCopies(t *testing.T) {
	const once = "#pragma once\n#define ONCE_READ 1\n"
	other := "#undef V\n#define V 2\n"
	// x.h is found first in a/, a copy of y.h, and skipped; b/x.h is an
	// input (read through its own path), so a worker would find it.
	src := "#include \"y.h\"\n#include \"b/x.h\"\n#undef V\n#define V 1\n#include \"x.h\"\nint v = V;\n"
	copied := map[string]string{"y.h": once, "a/x.h": once, "b/x.h": other, "a.c": src}
	linked := map[string]string{"y.h": once, "a/x.h": "@link:../y.h", "b/x.h": other, "z.h": other, "a.c": src}
	sameTime := func(names ...string) func(*kase) {
		return func(k *kase) {
			for _, n := range names {
				touch(n, time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC))(k)
			}
		}
	}
	// The same, the header marked by a macro that another header defines.
	const marked = "SKIP_AGAIN\n#define ONCE_READ 1\n"
	macroSrc := "#include \"pragma.h\"\n" + src
	macroCopied := map[string]string{"pragma.h": "#define SKIP_AGAIN _Pragma(\"once\")\n",
		"y.h": marked, "a/x.h": marked, "b/x.h": other, "a.c": macroSrc}
	// The same, the pragma's words split by backslash-newlines.
	const split = "#pr\\\nagma on\\\nce\n#define ONCE_READ 1\n"
	splitCopied := map[string]string{"y.h": split, "a/x.h": split, "b/x.h": other, "a.c": src}
	for _, s := range []spec{{
		name:   "gcc: -I a -I b, a/x.h a cp -p copy of a header whose #pragma once backslash-newlines split, b/x.h another",
		files:  splitCopied,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/x.h"),
		mutate: edit("a/x.h", "#define V 4\n"),
	}, {
		name:   "gcc: -I a -I b, a/x.h a cp -p copy of a header a _Pragma macro marks, b/x.h another",
		files:  macroCopied,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/x.h"),
		mutate: edit("a/x.h", "#define V 4\n"),
	}, {
		name:   "gcc: -I a -I b, a/x.h a cp -p copy of a header read once, b/x.h another",
		files:  copied,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/x.h"),
		mutate: edit("a/x.h", "#define V 4\n"),
	}, {
		name:   "gcc: -I a -I b, a/x.h a symlink to a header read once, retargeted",
		files:  linked,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a/x.h", "@link:../z.h"),
	}, {
		name:   "clang: -I a -I b, a/x.h a symlink to a header read once",
		tool:   "clang",
		files:  linked,
		cmd:    []string{"clang", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		name:   "gcc: -iquote a -I b, a/x.h a copy of a header read once",
		files:  copied,
		cmd:    []string{"gcc", "-iquote", "a", "-Ib", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/x.h"),
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		// a/x.h includes the next x.h: b/x.h, the copy, is skipped; a
		// worker would read c/x.h.
		name: "gcc: #include_next reaches a copy of a header read once",
		files: map[string]string{"y.h": once, "a/x.h": "#include_next <x.h>\n", "b/x.h": once, "c/x.h": other,
			"a.c": "#include \"y.h\"\n#include \"c/x.h\"\n#undef V\n#define V 1\n#include <x.h>\nint v = V;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-Ic", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "b/x.h"),
		mutate: edit("b/x.h", "#define V 5\n"),
	}, {
		// The header after the copy is the toolchain's, which a worker
		// has.
		name:   "gcc: -I a, a/limits.h a copy of a header read once",
		files:  map[string]string{"y.h": once, "a/limits.h": once, "a.c": "#include \"y.h\"\n#include <limits.h>\n#ifdef INT_MAX\nint v = 1;\n#else\nint v = 2;\n#endif\n"},
		cmd:    []string{"gcc", "-Ia", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/limits.h"),
		mutate: func(k *kase) { k.sh("rm a/limits.h") },
	}, {
		// b/x.h is an input only as what a __has_include found; then it
		// goes, and nothing of the copy's name comes later.
		name: "gcc: the header after the copy is a __has_include's, then removed",
		files: map[string]string{"y.h": once, "a/x.h": once, "b/x.h": other,
			"a.c": "#include \"y.h\"\n#if __has_include(\"b/x.h\")\n#define V 3\n#endif\n#include \"x.h\"\n#ifndef V\n#define V 4\n#endif\nint v = V;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/x.h"),
		mutate: func(k *kase) { k.sh("rm b/x.h") },
	}, {
		// Nothing of the copy's name comes later: a worker's compile
		// fails for want of it, and the compile runs locally; then
		// b/x.h appears after it.
		name:   "gcc: a copy of a header read once with nothing of its name later",
		files:  map[string]string{"y.h": once, "a/x.h": once, "a.c": "#include \"y.h\"\n#include \"x.h\"\nint v = 1;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/x.h"),
		mutate: edit("b/x.h", "int b_x;\n"),
	}, {
		// The copy appears after a record was made: the record states
		// a/x.h absent.
		name:   "gcc: a copy of a header read once appears in an earlier -I dir",
		files:  map[string]string{"y.h": once, "a/other.h": "", "b/x.h": other, "a.c": src},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("cp -p y.h a/x.h") },
	}, {
		// __has_include finds the copy, which is uploaded beside the
		// header, and a computed include names it: only a worker that
		// links inputs of one content to one file skips it as gcc does,
		// so the compile runs locally.
		name: "gcc: __has_include finds a copy of a header read once that a computed include names",
		files: map[string]string{"y.h": once, "a/x.h": once,
			"a.c": "#include \"y.h\"\n#define X <x.h>\n#if __has_include(<x.h>)\n#include X\n#endif\nint v = 1;\n"},
		cmd:    []string{"gcc", "-Ia", "-c", "a.c", "-o", "a.o"},
		setup:  sameTime("y.h", "a/x.h"),
		mutate: edit("a/x.h", "#define V 6\n"),
		want: func(phase, outcome string) string {
			if phase != "mutated" && outcome != "local run" {
				return "a compile whose input tree would hold a copy of a header read once must run locally, rex did: " + outcome
			}
			return ""
		},
	}} {
		s.class = "twins"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

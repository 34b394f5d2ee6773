package adversarial

import "testing"

// Whether an identifier of a wrapper's angled name is a macro is told by
// the compile's own preprocessing, whichever way rex scanned it: clang's
// make rule (no dependency file; listed again with -E -dD), clang's -E
// (with -MD), or gcc's plain -E (where directives-only mode passed on a
// %:include). A word the target predefines (WIN32 for mingw, linux in GNU
// C), a -D, a header's #define, and one #undef'd before or after the use.
func TestProbeWrappersMacros(t *testing.T) {
	const wrap = "#define PROBE_H(x) __has_include(x)\n"
	use := func(name string) string {
		return "#include \"w.h\"\n#if PROBE_H(<" + name + ">)\n#define FEATURE 2\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"
	}
	remote := func(phase, outcome string) string {
		if phase == "base" && outcome != "remote execution" {
			return "a wrapper's name that no macro changes should run remotely, rex did: " + outcome
		}
		return ""
	}
	local := func(phase, outcome string) string {
		if outcome != "local run" {
			return "a wrapper's name that holds a macro must keep the compile local, rex did: " + outcome
		}
		return ""
	}
	mingw := []string{"clang", "--target=x86_64-w64-mingw32", "-Iinc", "-c", "a.c", "-o", "a.o"}
	runWrapperCases(t, []spec{{
		// The mingw target predefines WIN32 (1): the compile probes
		// 1/feature.h. -MD makes the scan an -E, whose markers list no
		// file a probe found.
		name:   "clang -MD: an angled name holding WIN32, which the mingw target predefines",
		files:  map[string]string{"w.h": wrap, "inc/WIN32/feature.h": "", "a.c": use("WIN32/feature.h")},
		cmd:    append(mingw[:len(mingw):len(mingw)], "-MD"),
		mutate: edit("inc/1/feature.h", "\n"),
		want:   local,
	}, {
		name:   "clang: an angled name holding WIN32, which the mingw target predefines",
		files:  map[string]string{"w.h": wrap, "inc/WIN32/feature.h": "", "a.c": use("WIN32/feature.h")},
		cmd:    mingw,
		mutate: edit("inc/1/feature.h", "\n"),
		want:   local,
	}, {
		name:   "clang -MD: an angled name holding linux in GNU C",
		files:  map[string]string{"w.h": wrap, "inc/linux/feature.h": "", "a.c": use("linux/feature.h")},
		cmd:    []string{"clang", "-std=gnu11", "-MD", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
		want:   local,
	}, {
		name:   "clang: an angled name holding linux in GNU C",
		files:  map[string]string{"w.h": wrap, "inc/linux/feature.h": "", "a.c": use("linux/feature.h")},
		cmd:    []string{"clang", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
		want:   local,
	}, {
		name:   "clang -MD: an angled name holding linux in ISO C, the header appears",
		files:  map[string]string{"w.h": wrap, "inc/other.h": "", "a.c": use("linux/feature.h")},
		cmd:    []string{"clang", "-std=c11", "-MD", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/linux/feature.h", "\n"),
		want:   remote,
	}, {
		name:   "clang -MD: an angled name holding a macro of a -D",
		files:  map[string]string{"w.h": wrap, "inc/feature.h": "", "a.c": use("feature.h")},
		cmd:    []string{"clang", "-Dfeature=other", "-MD", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
		want:   local,
	}, {
		name:   "clang: an angled name holding a macro a header defines",
		files:  map[string]string{"w.h": wrap + "#define feature other\n", "inc/feature.h": "", "a.c": use("feature.h")},
		cmd:    []string{"clang", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
		want:   local,
	}, {
		name:   "clang -MD: an angled name holding a macro a header defines",
		files:  map[string]string{"w.h": wrap + "#define feature other\n", "inc/feature.h": "", "a.c": use("feature.h")},
		cmd:    []string{"clang", "-MD", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
		want:   local,
	}, {
		// #undef'd before the use, feature is probed as written; the
		// scan says it was defined, and rex keeps the compile local.
		name:   "clang: an angled name holding a macro #undef'd before the use, the header appears",
		files:  map[string]string{"w.h": wrap + "#define feature other\n#undef feature\n", "inc/other.h": "", "a.c": use("feature.h")},
		cmd:    []string{"clang", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		// Defined at the use, undefined after it: other.h is probed.
		name:   "clang -MD: an angled name holding a macro #undef'd after the use",
		files:  map[string]string{"w.h": wrap + "#define feature other\n", "inc/feature.h": "", "a.c": use("feature.h") + "#undef feature\n"},
		cmd:    []string{"clang", "-MD", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
		want:   local,
	}, {
		name:   "clang: an angled name holding a -D macro the source #undefs after the use",
		files:  map[string]string{"w.h": wrap, "inc/feature.h": "", "a.c": use("feature.h") + "#undef feature\n"},
		cmd:    []string{"clang", "-Dfeature=other", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
		want:   local,
	}, {
		name:   "gcc, a plain -E scan: an angled name holding a macro of a -D",
		files:  map[string]string{"w.h": wrap, "inc/feature.h": "", "a.c": "%:include \"w.h\"\n" + use("feature.h")},
		cmd:    []string{"gcc", "-Dfeature=other", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
		want:   local,
	}, {
		name:   "gcc, a plain -E scan: an angled name holding linux in GNU C",
		files:  map[string]string{"w.h": wrap, "inc/linux/feature.h": "", "a.c": "%:include \"w.h\"\n" + use("linux/feature.h")},
		cmd:    []string{"gcc", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
		want:   local,
	}, {
		name:   "gcc, a plain -E scan: an angled name that holds no macro, the header appears",
		files:  map[string]string{"w.h": wrap, "inc/other.h": "", "a.c": "%:include \"w.h\"\n" + use("feature.h")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
		want:   remote,
	}})
}

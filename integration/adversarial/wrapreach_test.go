package adversarial

import "testing"

// A probe wrapper can be reached, or its argument built, in ways its name
// as written does not show: the uses below probe a header that then
// appears, and rex must either key that probe or compile locally.
func TestProbeWrappersReach(t *testing.T) {
	const wrap = "#define PROBE_H(x) __has_include(x)\n"
	body := func(cond string) string {
		return "#if " + cond + "\n#define FEATURE 2\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"
	}
	runWrapperCases(t, []spec{{
		name:   "the name made by token pasting",
		files:  map[string]string{"w.h": wrap + "#define CAT(a, b) a##b\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("CAT(PROBE, _H)(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		// The blanks around the macro's parameter once made its whole
		// body read as parameters, which the paste check passes over.
		name:   "the name made by token pasting in a macro whose parameter has blanks",
		files:  map[string]string{"w.h": wrap + "#define CAT(a, b) a##b\n#define HAVE( x ) CAT(PROBE, _H)(<feature.h>)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE(1)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		name:   "the name made by token pasting, a piece on the command line",
		files:  map[string]string{"w.h": wrap + "#define CAT(a, b) a##b\n#define XCAT(a, b) CAT(a, b)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("XCAT(HEAD, _H)(<feature.h>)")},
		cmd:    []string{"gcc", "-DHEAD=PROBE", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		name:   "a literal angled probe in a macro, the header appears in an -I dir",
		files:  map[string]string{"w.h": "#define HAVE_FEATURE __has_include(<feature.h>)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE_FEATURE")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
		want: func(phase, outcome string) string {
			if phase == "base" && outcome != "remote execution" {
				return "a plain angled name in a macro should run remotely, rex did: " + outcome
			}
			return ""
		},
	}, {
		// A macro's argument is expanded before the macro: in GNU C the
		// probe is of 1/feature.h.
		name:   "a literal angled probe in a macro's argument, holding the predefined macro linux",
		files:  map[string]string{"w.h": "#define ID(a) a\n", "inc/linux/feature.h": "", "a.c": "#include \"w.h\"\n" + body("ID(__has_include(<linux/feature.h>))")},
		cmd:    []string{"gcc", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
	}, {
		name:   "a literal angled probe in the arguments a macro opened, holding the predefined macro linux",
		files:  map[string]string{"w.h": "#define ID(a) a\n#define OPEN ID(\n", "inc/linux/feature.h": "", "a.c": "#include \"w.h\"\n" + body("OPEN __has_include(<linux/feature.h>))")},
		cmd:    []string{"gcc", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
	}, {
		// The quote search starts from the directory of the file that
		// expands the macro.
		name:   "a literal quoted probe in a macro of a header in a subdirectory",
		files:  map[string]string{"sub/w.h": "#define HAVE_FEATURE __has_include(\"feature.h\")\n", "a.c": "#include \"sub/w.h\"\n" + body("HAVE_FEATURE")},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("feature.h", "\n"),
	}, {
		// In GNU C, linux is a macro (1): the expansion probes 1/feature.h.
		name:   "a literal angled probe in a macro, holding the predefined macro linux",
		files:  map[string]string{"w.h": "#define HAVE_FEATURE __has_include(<linux/feature.h>)\n", "inc/linux/feature.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE_FEATURE")},
		cmd:    []string{"gcc", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
	}, {
		name:   "an angled name built from a parameter of another macro",
		files:  map[string]string{"w.h": wrap + "#define HAVE(f) PROBE_H(<f.h>)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE(feature)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		name:   "a literal angled probe built from a parameter",
		files:  map[string]string{"w.h": "#define HAVE(f) __has_include(<f.h>)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE(feature)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		// The text's _Pragma restores X, which the directives-only scan
		// does not see: the scan runs again as a plain -E (see
		// depscan/fallback.go), and a file's #define of feature counts.
		name: "an angled name holding a macro that a _Pragma in the text enables",
		files: map[string]string{"w.h": wrap, "inc/other.h": "",
			"a.c": "#include \"w.h\"\n#define X 1\n_Pragma(\"push_macro(\\\"X\\\")\")\n#undef X\n_Pragma(\"pop_macro(\\\"X\\\")\")\n#if X\n#define feature other\n#endif\n" + body("PROBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm inc/other.h") },
	}, {
		name:   "clang: a literal angled probe in a macro, holding the predefined macro linux",
		tool:   "clang",
		files:  map[string]string{"w.h": "#define HAVE_FEATURE __has_include(<linux/feature.h>)\n", "inc/linux/feature.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE_FEATURE")},
		cmd:    []string{"clang", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
	}, {
		// An #if 0 group defines nothing: clang's preprocessing, listing
		// its macros, says feature is none, and the compile runs remotely.
		name:   "clang: an angled name whose word only an #if 0 group defines",
		tool:   "clang",
		files:  map[string]string{"w.h": wrap + "#if 0\n#define feature other\n#endif\n", "inc/feature.h": "", "a.c": "#include \"w.h\"\n" + body("PROBE_H(<feature.h>)")},
		cmd:    []string{"clang", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
		want: func(phase, outcome string) string {
			if phase == "base" && outcome != "remote execution" {
				return "a name no macro changes should run remotely, rex did: " + outcome
			}
			return ""
		},
	}, {
		name:   "clang: an angled name holding a macro of the command line",
		tool:   "clang",
		files:  map[string]string{"w.h": wrap, "inc/feature.h": "", "a.c": "#include \"w.h\"\n" + body("PROBE_H(<feature.h>)")},
		cmd:    []string{"clang", "-Dfeature=other", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "\n"),
	}, {
		name:   "clang: a literal angled probe in a macro, the header appears in an -I dir",
		tool:   "clang",
		files:  map[string]string{"w.h": "#define HAVE_FEATURE __has_include(<feature.h>)\n", "inc/other.h": "", "a.cc": "#include <string>\n#include \"w.h\"\n" + body("HAVE_FEATURE")},
		cmd:    []string{"clang++", "-std=c++17", "-Iinc", "-c", "a.cc", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
		want: func(phase, outcome string) string {
			if phase == "base" && outcome != "remote execution" {
				return "a plain angled name in a macro should run remotely, rex did: " + outcome
			}
			return ""
		},
	}})
}

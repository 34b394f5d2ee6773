package adversarial

import (
	"strings"
	"testing"
)

// A macro that hands its parameter to __has_include (fmt's
// FMT_HAS_INCLUDE) probes, at each use, the name the use passes it, after
// that name's macros are expanded. The header that later appears where
// such a use looked must change the object; a use whose name a macro
// changes must not be keyed by the name as written.
func TestProbeWrappers(t *testing.T) {
	const wrap = "#define PROBE_H(x) __has_include(x)\n"
	body := func(use string) string {
		return "#include \"w.h\"\n#if " + use + "\n#include <feature.h>\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"
	}
	remote := func(phase, outcome string) string {
		if phase == "base" && outcome != "remote execution" {
			return "a use of a wrapper with a plain name should run remotely, rex did: " + outcome
		}
		return ""
	}
	local := func(phase, outcome string) string {
		if outcome != "local run" {
			return "a wrapper's name that a macro changes must keep the compile local, rex did: " + outcome
		}
		return ""
	}
	runWrapperCases(t, []spec{{
		name:   "quoted name, the header appears beside the source",
		files:  map[string]string{"w.h": wrap, "a.c": "#include \"w.h\"\n#if PROBE_H(\"feature.h\")\n#include \"feature.h\"\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("feature.h", "#define FEATURE 2\n"),
		want:   remote,
	}, {
		name:   "quoted name in a header of a subdirectory, the header appears beside it",
		files:  map[string]string{"w.h": wrap, "sub/u.h": "#if PROBE_H(\"feature.h\")\n#include \"feature.h\"\n#else\n#define FEATURE 1\n#endif\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n#include \"sub/u.h\"\nint v = FEATURE;\n"},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("sub/feature.h", "#define FEATURE 3\n"),
		want:   remote,
	}, {
		name:   "angled name, the header appears in an -I dir",
		files:  map[string]string{"w.h": wrap, "inc/other.h": "", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 4\n"),
		want:   remote,
	}, {
		name:   "angled name in another macro, the header appears in an -I dir",
		files:  map[string]string{"w.h": wrap + "#define HAVE_FEATURE PROBE_H(<feature.h>)\n", "inc/other.h": "", "a.c": body("HAVE_FEATURE")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 5\n"),
		want:   remote,
	}, {
		// In GNU C, linux is a macro (1): the compile probes 1/feature.h.
		name: "angled name holding the predefined macro linux",
		files: map[string]string{"w.h": wrap, "inc/linux/feature.h": "#define FEATURE 6\n",
			"a.c": "#include \"w.h\"\n#if PROBE_H(<linux/feature.h>)\n#define FEATURE 7\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"},
		cmd:    []string{"gcc", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/1/feature.h", "\n"),
		want:   local,
	}, {
		// In ISO C it is not: the name is probed as written.
		name: "angled name holding linux in ISO C",
		files: map[string]string{"w.h": wrap, "inc/other.h": "",
			"a.c": "#include \"w.h\"\n#if PROBE_H(<linux/feature.h>)\n#define FEATURE 8\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"},
		cmd:    []string{"gcc", "-std=c11", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/linux/feature.h", "\n"),
		want:   remote,
	}, {
		name:   "angled name holding a macro of a header",
		files:  map[string]string{"w.h": wrap + "#define feature other\n", "inc/feature.h": "#define FEATURE 9\n", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "#define FEATURE 10\n"),
		want:   local,
	}, {
		name:   "angled name holding a macro of the command line",
		files:  map[string]string{"w.h": wrap, "inc/feature.h": "#define FEATURE 11\n", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-Dfeature=other", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "#define FEATURE 12\n"),
		want:   local,
	}, {
		name:   "a use on the command line",
		files:  map[string]string{"w.h": wrap, "inc/other.h": "", "a.c": body("HAVE_FEATURE")},
		cmd:    []string{"gcc", "-DHAVE_FEATURE=PROBE_H(<feature.h>)", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 16\n"),
		want:   local,
	}, {
		name:   "the wrapper passed to another macro",
		files:  map[string]string{"w.h": wrap + "#define CALL(m, a) m(a)\n", "inc/other.h": "", "a.c": body("CALL(PROBE_H, <feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 13\n"),
		want:   local,
	}, {
		name:   "a wrapper of the wrapper",
		files:  map[string]string{"w.h": wrap + "#define PROBE2(x) PROBE_H(x)\n", "inc/other.h": "", "a.c": body("PROBE2(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 14\n"),
		want:   local,
	}, {
		name:   "C++: the wrapper in a header, the header appears in an -isystem dir",
		files:  map[string]string{"w.h": wrap, "sys/other.h": "", "a.cc": "#include <string>\n" + body("PROBE_H(<feature.h>)")},
		cmd:    []string{"g++", "-std=c++17", "-isystem", "sys", "-c", "a.cc", "-o", "a.o"},
		mutate: edit("sys/feature.h", "#define FEATURE 15\n"),
		want:   remote,
	}, {
		name:   "a use through an object-like alias",
		files:  map[string]string{"w.h": wrap + "#define ALIAS PROBE_H\n", "inc/other.h": "", "a.c": body("ALIAS(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 17\n"),
		want:   local,
	}, {
		name:   "the wrapper defined on the command line",
		files:  map[string]string{"w.h": "", "inc/other.h": "", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-DPROBE_H(x)=__has_include(x)", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 18\n"),
		want:   local,
	}, {
		name:   "the wrapper defined with CRLF line ends, the use spliced",
		files:  map[string]string{"w.h": "#define PROBE_H(x) \\\r\n __has_include(x)\r\n", "inc/other.h": "", "a.c": body("PRO\\\nBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 19\n"),
		want:   remote,
	}, {
		name:   "the wrapper defined with a digraph",
		files:  map[string]string{"w.h": "%:define PROBE_H(x) __has_include(x)\n", "inc/other.h": "", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 20\n"),
	}, {
		name:   "angled name holding a macro of -imacros",
		files:  map[string]string{"w.h": wrap, "m.h": "#define feature other\n", "inc/feature.h": "#define FEATURE 21\n", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"gcc", "-imacros", "m.h", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/other.h", "#define FEATURE 22\n"),
		want:   local,
	}, {
		name:   "C++: angled name holding a macro of a system header",
		files:  map[string]string{"w.h": wrap, "inc/other.h": "", "a.cc": "#include <cstdio>\n" + body("PROBE_H(<stdin>)")},
		cmd:    []string{"g++", "-std=c++17", "-Iinc", "-c", "a.cc", "-o", "a.o"},
		mutate: edit("inc/stdin", "#define FEATURE 23\n"),
		want:   local,
	}, {
		// A use under the plain definition searches the user's own
		// directory, whatever a later next definition does.
		name: "redefined from a plain probe to a next one",
		files: map[string]string{"inc1/w.h": wrap, "inc1/u.h": "#if PROBE_H(<feature.h>)\n#include <feature.h>\n#else\n#define FEATURE 1\n#endif\n",
			"inc2/n.h": "#undef PROBE_H\n#define PROBE_H(x) __has_include_next(x)\n", "a.c": "#include <w.h>\n#include <u.h>\n#include <n.h>\nint v = FEATURE;\n"},
		cmd:    []string{"gcc", "-Iinc1", "-Iinc2", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc1/feature.h", "#define FEATURE 24\n"),
		want:   remote,
	}, {
		name:   "clang: angled name, the header appears in an -I dir",
		tool:   "clang",
		files:  map[string]string{"w.h": wrap, "inc/other.h": "", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"clang", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 25\n"),
		want:   remote,
	}, {
		// Direct mode's record was made without the wrapper: the header
		// that brings it shadows the one read, and a use then finds a.h.
		name: "the wrapper appears in a header that shadows the one read",
		files: map[string]string{"inc2/w.h": "", "inc3/feature.h": "#define FEATURE 27\n",
			"a.c": "#include <w.h>\n#ifdef PROBE_H\n#if PROBE_H(<feature.h>)\n#include <feature.h>\n#endif\n#endif\n#ifndef FEATURE\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"},
		cmd:    []string{"gcc", "-Iinc1", "-Iinc2", "-Iinc3", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc1/w.h", wrap),
		want:   remote,
	}, {
		name:   "quoted name in a header of -include, the header appears beside it",
		files:  map[string]string{"w.h": wrap, "sub/pre.h": "#include \"../w.h\"\n#if PROBE_H(\"feature.h\")\n#include \"feature.h\"\n#endif\n", "a.c": "#ifndef FEATURE\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"},
		cmd:    []string{"gcc", "-include", "sub/pre.h", "-c", "a.c", "-o", "a.o"},
		mutate: edit("sub/feature.h", "#define FEATURE 28\n"),
		want:   remote,
	}, {
		// A compile without the -D kept its scan: the compile with it
		// speculates from that scan, which lists no macros, while its own
		// scan finds feature defined.
		name:  "angled name holding a macro of a -D the speculated scan lacked",
		files: map[string]string{"w.h": wrap, "inc/feature.h": "#define FEATURE 29\n", "a.c": body("PROBE_H(<feature.h>)")},
		cmd:   []string{"gcc", "-Dfeature=other", "-Iinc", "-c", "a.c", "-o", "a.o"},
		setup: func(k *kase) {
			cmd := k.cmd
			k.cmd = []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"}
			if out, err := k.command(true).CombinedOutput(); err != nil {
				k.t.Fatalf("the compile without -D: %v\n%s", err, out)
			}
			k.cmd = cmd
		},
		mutate: edit("inc/other.h", "#define FEATURE 30\n"),
		want:   local,
	}, {
		// A word of an argument that defines no macro (h of h.c) is no
		// macro: the compile runs remotely.
		name:   "clang: angled name, a source named after one of its words",
		tool:   "clang",
		files:  map[string]string{"w.h": wrap, "inc/other.h": "", "h.c": body("PROBE_H(<feature.h>)")},
		cmd:    []string{"clang", "-Iinc", "-c", "h.c", "-o", "h.o"},
		mutate: edit("inc/feature.h", "#define FEATURE 26\n"),
		want:   remote,
	}})
}

// runWrapperCases runs specs in class "wrappers", a case named for clang
// with clang. A case's name is written into its sources: it must hold no
// wrapper's name.
func runWrapperCases(t *testing.T, specs []spec) {
	for _, s := range specs {
		s.class = "wrappers"
		if strings.HasPrefix(s.name, "clang") {
			s.tool = "clang"
		}
		if strings.Contains(s.name, "PROBE") {
			t.Fatalf("case %q: its name, written into the source, would be a use", s.name)
		}
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

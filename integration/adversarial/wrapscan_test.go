package adversarial

import "testing"

// clang++ is scanned by the line markers of -E -dD (for the macros an
// angled name of a probe wrapper may hold) rather than by -M: -M lists a
// header that clang skipped as a copy of one read once (the same inode),
// which enters no marker. A header the compile looked at must be keyed
// whichever way the scan listed it.
func TestProbeWrappersScanCxx(t *testing.T) {
	const once = "#pragma once\n#define ONCE_READ 1\n"
	other := "#undef V\n#define V 2\n"
	src := "#include \"y.h\"\n#include \"b/x.h\"\n#undef V\n#define V 1\n#include \"x.h\"\nint v = V;\n"
	linked := map[string]string{"y.h": once, "a/x.h": "@link:../y.h", "b/x.h": other, "a.cpp": src}
	const guard = "#ifndef GUARD_Y\n#define GUARD_Y\n#define ONCE_READ 1\n#endif\n"
	guarded := map[string]string{"y.h": guard, "a/x.h": "@link:../y.h", "b/x.h": other, "a.cpp": src}
	runWrapperCases(t, []spec{{
		name:   "clang++: -I a -I b, a/x.h a symlink to a header read once",
		files:  linked,
		cmd:    []string{"clang++", "-Ia", "-Ib", "-c", "a.cpp", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		name:   "clang++ -MD: -I a -I b, a/x.h a symlink to a header read once",
		files:  linked,
		cmd:    []string{"clang++", "-MD", "-Ia", "-Ib", "-c", "a.cpp", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		name:  "clang++: -I a -I b, a/x.h a hard link to a header read once",
		files: map[string]string{"y.h": once, "b/x.h": other, "a.cpp": src},
		cmd:   []string{"clang++", "-Ia", "-Ib", "-c", "a.cpp", "-o", "a.o"},
		setup: func(k *kase) { k.sh("mkdir -p a && ln y.h a/x.h") },
		// A new file in its place is no copy: clang reads it.
		mutate: func(k *kase) { k.sh("rm a/x.h && printf '#undef V\\n#define V 3\\n' > a/x.h") },
	}, {
		name:   "clang++: -I a -I b, a/x.h a symlink to a guarded header",
		files:  guarded,
		cmd:    []string{"clang++", "-Ia", "-Ib", "-c", "a.cpp", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		name:   "clang++: -I a -I b, a/x.h a hard link to a guarded header",
		files:  map[string]string{"y.h": guard, "b/x.h": other, "a.cpp": src},
		cmd:    []string{"clang++", "-Ia", "-Ib", "-c", "a.cpp", "-o", "a.o"},
		setup:  func(k *kase) { k.sh("mkdir -p a && ln y.h a/x.h") },
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		name:   "clang -MD: -I a -I b, a/x.h a symlink to a guarded header",
		files:  guarded,
		cmd:    []string{"clang", "-MD", "-x", "c", "-Ia", "-Ib", "-c", "a.cpp", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		name:   "clang++ -MMD: -isystem a -isystem b, a/x.h a symlink to a guarded header",
		files:  guarded,
		cmd:    []string{"clang++", "-MMD", "-isystem", "a", "-isystem", "b", "-c", "a.cpp", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm a/x.h") },
	}, {
		// Markers escape a quote and a backslash; clang's make rule
		// spells the backslash as a slash.
		name: "clang++: headers whose names hold a quote, a backslash and a space",
		files: map[string]string{"inc/q\"x.h": "#define Q 1\n", "b\\x.h": "#define B 1\n", "s p.h": "#define S 1\n",
			"a.cpp": "#include <q\"x.h>\n#include \"b\\x.h\"\n#include \"s p.h\"\nint v = Q + B + S;\n"},
		cmd:    []string{"clang++", "-Iinc", "-c", "a.cpp", "-o", "a.o"},
		mutate: edit("b\\x.h", "#define B 2\n"),
		want: func(phase, outcome string) string {
			if phase == "base" && outcome != "remote execution" {
				return "headers of odd names should run remotely, rex did: " + outcome
			}
			return ""
		},
	}})
}

// The macros of an angled name handed to a probe wrapper come from the
// compile's own preprocessing, with every option and variable that adds
// one: -include, -imacros, -Wp,-D and -Xpreprocessor -D (which clang's
// make-rule scan must hand its second run too), a header found through
// CPATH, the target's (i386 where -m32 or --target makes it so). A
// definition that appears later (in a header edited, or one a
// __has_include finds) must reach a compile that ran remotely before,
// through direct mode's records and the speculation on them.
func TestProbeWrappersMacroSources(t *testing.T) {
	const wrap = "#define PROBE_H(x) __has_include(x)\n"
	use := func(inc, name string) string {
		return "#include \"" + inc + "\"\n#if PROBE_H(<" + name + ">)\n#define FEATURE 2\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"
	}
	local := func(phase, outcome string) string {
		if outcome != "local run" {
			return "a wrapper's name that holds a macro must keep the compile local, rex did: " + outcome
		}
		return ""
	}
	// later runs remotely while the name holds no macro, locally once it
	// does.
	later := func(phase, outcome string) string {
		if phase == "base" && outcome != "remote execution" {
			return "a wrapper's name that no macro changes should run remotely, rex did: " + outcome
		}
		if phase == "mutated" && outcome != "local run" {
			return "a wrapper's name that a new #define changes must keep the compile local, rex did: " + outcome
		}
		return ""
	}
	plain := map[string]string{"w.h": wrap, "inc/feature.h": "", "a.c": use("w.h", "feature.h")}
	defines := map[string]string{"w.h": wrap, "m.h": "#define feature other\n", "inc/feature.h": "", "a.c": use("w.h", "feature.h")}
	probed := map[string]string{"w.h": wrap + "#if __has_include(\"cfg.h\")\n#include \"cfg.h\"\n#endif\n", "inc/feature.h": "", "a.c": use("w.h", "feature.h")}
	var specs []spec
	for _, cc := range []string{"gcc", "clang", "clang++"} {
		cmd := func(opts ...string) []string {
			return append(append([]string{cc}, opts...), "-Iinc", "-c", "a.c", "-o", "a.o")
		}
		if cc == "clang++" {
			cmd = func(opts ...string) []string {
				return append(append([]string{cc, "-x", "c++"}, opts...), "-Iinc", "-c", "a.c", "-o", "a.o")
			}
		}
		specs = append(specs, []spec{{
			name: cc + ": -include of a header that defines a word of the name", files: defines,
			cmd: cmd("-include", "m.h"), mutate: edit("inc/other.h", "\n"), want: local,
		}, {
			name: cc + ": -imacros of a header that defines a word of the name", files: defines,
			cmd: cmd("-imacros", "m.h"), mutate: edit("inc/other.h", "\n"), want: local,
		}, {
			name: cc + ": -Wp,-D of a word of the name", files: plain,
			cmd: cmd("-Wp,-Dfeature=other"), mutate: edit("inc/other.h", "\n"), want: local,
		}, {
			name: cc + ": -Xpreprocessor -D of a word of the name", files: plain,
			cmd: cmd("-Xpreprocessor", "-Dfeature=other"), mutate: edit("inc/other.h", "\n"), want: local,
		}, {
			name:  cc + ": a header found through CPATH defines a word of the name",
			files: map[string]string{"cp/w.h": wrap + "#define feature other\n", "inc/feature.h": "", "a.c": use("w.h", "feature.h")},
			env:   []string{"CPATH={R}/cp"}, cmd: cmd(), mutate: edit("inc/other.h", "\n"), want: local,
		}, {
			name: cc + ": the header of the wrapper gains a #define of a word of the name", files: plain,
			cmd: cmd(), mutate: edit("w.h", wrap+"#define feature other\n"), want: later,
		}, {
			name: cc + ": a header a __has_include finds appears and defines a word of the name", files: probed,
			cmd: cmd(), mutate: edit("cfg.h", "#define feature other\n"), want: later,
		}}...)
	}
	specs = append(specs, spec{
		name:  "gcc -m32: an angled name holding i386 in GNU C",
		files: map[string]string{"w.h": wrap, "inc/i386/feature.h": "", "a.c": use("w.h", "i386/feature.h")},
		cmd:   []string{"gcc", "-m32", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"}, mutate: edit("inc/1/feature.h", "\n"), want: local,
	}, spec{
		name:  "clang --target=i686-linux-gnu: an angled name holding i386 in GNU C",
		files: map[string]string{"w.h": wrap, "inc/i386/feature.h": "", "a.c": use("w.h", "i386/feature.h")},
		cmd:   []string{"clang", "--target=i686-linux-gnu", "-std=gnu11", "-Iinc", "-c", "a.c", "-o", "a.o"}, mutate: edit("inc/1/feature.h", "\n"), want: local,
	})
	runWrapperCases(t, specs)
}

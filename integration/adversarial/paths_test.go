package adversarial

import (
	"strings"
	"testing"
)

// pathSources embed paths three ways: __FILE__ in the source and in a
// header, and debug info for both.
var pathSources = map[string]string{
	"proj/inc/h.h": "#define HV 1\nstatic const char *hfile = __FILE__;\nstatic inline int hget(void) { return HV; }\n",
	"proj/a.c":     "#include \"h.h\"\nconst char *afile = __FILE__;\nconst char *get(void) { return hget() ? hfile : afile; }\n",
}

const pathsEdit = "#define HV 2\nstatic const char *hfile = __FILE__;\nstatic inline int hget(void) { return HV; }\n"

// pathCases are the cases about paths embedded in objects, dep files and
// diagnostics, for one C compiler.
func pathCases(cc string) []spec {
	return []spec{{
		name: "-ffile-prefix-map of a directory above the tree",
		cmd:  []string{cc, "-g", "-ffile-prefix-map={R}=/src", "-Iinc", "-c", "{R}/proj/a.c", "-o", "a.o"},
	}, {
		name: "-fmacro-prefix-map of the cwd with a trailing slash",
		cmd:  []string{cc, "-fmacro-prefix-map={R}/proj/=", "-I{R}/proj/inc", "-c", "{R}/proj/a.c", "-o", "a.o"},
	}, {
		name: "-fdebug-prefix-map and -fmacro-prefix-map pair",
		cmd: []string{cc, "-g", "-fdebug-prefix-map={R}/proj=.", "-fmacro-prefix-map={R}/proj=.",
			"-I{R}/proj/inc", "-c", "{R}/proj/a.c", "-o", "a.o"},
	}, {
		// Alone, each leaves the other kind for rex to map: clang up
		// to 16 keeps the first of two maps of one prefix, gcc the last.
		name: "-fdebug-prefix-map of the tree alone",
		cmd:  []string{cc, "-g", "-fdebug-prefix-map={R}/proj=.", "-I{R}/proj/inc", "-c", "{R}/proj/a.c", "-o", "a.o"},
	}, {
		name: "-fmacro-prefix-map of the tree alone",
		cmd:  []string{cc, "-fmacro-prefix-map={R}/proj=.", "-I{R}/proj/inc", "-c", "{R}/proj/a.c", "-o", "a.o"},
	}, {
		name: "-fdebug-prefix-map of a directory above the tree",
		cmd:  []string{cc, "-g", "-fdebug-prefix-map={R}=/src", "-Iinc", "-c", "a.c", "-o", "a.o"},
	}, {
		// gcc takes the later map, clang the longer prefix.
		name: "-fdebug-prefix-map above the tree, then of the tree",
		cmd: []string{cc, "-g", "-fdebug-prefix-map={R}/proj=.", "-fdebug-prefix-map={R}=/src",
			"-Iinc", "-c", "a.c", "-o", "a.o"},
	}, {
		// gcc then names no directory in the line table, and the
		// assembler writes the one it runs in.
		name: "-ffile-prefix-map of the cwd to nothing",
		cmd:  []string{cc, "-g", "-ffile-prefix-map={R}/proj=", "-I{R}/proj/inc", "-c", "{R}/proj/a.c", "-o", "a.o"},
	}, {
		name: "-g with absolute paths",
		cmd:  []string{cc, "-g", "-I{R}/proj/inc", "-c", "{R}/proj/a.c", "-o", "{R}/proj/a.o"},
	}, {
		name: "-flto -g",
		// -frandom-seed: without it gcc names LTO sections at random.
		cmd: []string{cc, "-flto", "-g", "-O1", "-frandom-seed=a.o", "-Iinc", "-c", "a.c", "-o", "a.o"},
	}, {
		name: "-grecord-gcc-switches",
		cmd:  []string{cc, "-g", "-grecord-gcc-switches", "-Iinc", "-c", "a.c", "-o", "a.o"},
	}, {
		name: "warning inside a header",
		files: map[string]string{
			"proj/inc/h.h": "#define HV 1\nstatic int hwarn(int x) { if (x) return HV; }\n",
			"proj/a.c":     "#include \"h.h\"\nint get(int x) { return hwarn(x); }\n",
		},
		cmd:    []string{cc, "-Wall", "-Wextra", "-I{R}/proj/inc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("proj/inc/h.h", "#define HV 2\n\nstatic int hwarn(int x) { if (x) return HV; }\n"),
	}, {
		name: "-Ilinked/../inc where linked is a symlink",
		files: map[string]string{
			"proj/real/sub/keep.txt": "", "proj/linked": "@link:real/sub",
			"proj/real/inc/h.h": "#define HV 10\n", "proj/inc/h.h": "#define HV 20\n",
			"proj/a.c": "#include <h.h>\nint v = HV;\n",
		},
		cmd:    []string{cc, "-Ilinked/../inc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("proj/real/inc/h.h", "#define HV 11\n"),
	}, {
		// Line markers name the compiler's own "<built-in>" and
		// "<command-line>" in angle brackets too.
		name:   "a header whose name begins with <",
		files:  map[string]string{"proj/<v.h": "#define HV 30\n", "proj/a.c": "#include \"<v.h\"\nint v = HV;\n"},
		cmd:    []string{cc, "-c", "a.c", "-o", "a.o"},
		mutate: edit("proj/<v.h", "#define HV 31\n"),
		// Left out of the inputs, the header is missing on the worker.
		want: func(phase, outcome string) string {
			if strings.HasPrefix(outcome, "local fallback") {
				return "the worker lacked the header: " + outcome
			}
			return ""
		},
	}, {
		name:   "a header whose name begins with <, local cache alone",
		files:  map[string]string{"proj/<v.h": "#define HV 30\n", "proj/a.c": "#include \"<v.h\"\nint v = HV;\n"},
		cmd:    []string{cc, "-c", "a.c", "-o", "a.o"},
		env:    []string{"REX_SERVER="},
		mutate: edit("proj/<v.h", "#define HV 31\n"),
	}}
}

func TestPaths(t *testing.T) {
	cases := pathCases("gcc")
	for _, s := range pathCases("clang") {
		s.tool = "clang"
		cases = append(cases, s)
	}
	cases = append(cases, spec{
		tool: "clang",
		name: "-grecord-command-line",
		cmd:  []string{"clang", "-g", "-grecord-command-line", "-Iinc", "-c", "a.c", "-o", "a.o"},
	})
	for _, s := range cases {
		s.class, s.dir = "paths", "proj"
		if s.files == nil {
			s.files = pathSources
		}
		if s.mutate == nil {
			s.mutate = edit("proj/inc/h.h", pathsEdit)
		}
		s.name = s.cmd[0] + " " + s.name
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

package adversarial

import "testing"

// What the compile looked for and did not find is an input: a file that
// appears there later changes the object.
func TestAbsence(t *testing.T) {
	hasInclude := "#if __has_include(\"feature.h\")\n#include \"feature.h\"\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"
	for _, s := range []spec{{
		name:   "__has_include of a file that appears later",
		files:  map[string]string{"a.c": hasInclude},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("feature.h", "#define FEATURE 2\n"),
	}, {
		name:   "__has_include in an -I dir that does not exist yet",
		files:  map[string]string{"a.c": hasInclude},
		cmd:    []string{"gcc", "-Iopt", "-c", "a.c", "-o", "a.o"},
		mutate: edit("opt/feature.h", "#define FEATURE 3\n"),
	}, {
		name:   "header created in an earlier -I dir shadows the one found",
		files:  map[string]string{"b/h.h": "#define HV 1\n", "a/other.h": "", "a.c": "#include <h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a/h.h", "#define HV 2\n"),
	}, {
		name:   "header created in an earlier -I dir that did not exist",
		files:  map[string]string{"b/h.h": "#define HV 3\n", "a.c": "#include <h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a/h.h", "#define HV 4\n"),
	}, {
		name: "#include_next finds a header created in a middle dir",
		files: map[string]string{"a/h.h": "#include_next <h.h>\n", "b/other.h": "", "c/h.h": "#define HV 5\n",
			"a.c": "#include <h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-Ic", "-c", "a.c", "-o", "a.o"},
		mutate: edit("b/h.h", "#define HV 6\n"),
	}, {
		name:   "quote include appears next to the source",
		files:  map[string]string{"inc/q.h": "#define QV 1\n", "src/a.c": "#include \"q.h\"\nint v = QV;\n"},
		cmd:    []string{"gcc", "-Iinc", "-c", "src/a.c", "-o", "a.o"},
		mutate: edit("src/q.h", "#define QV 2\n"),
	}, {
		name: "quote include appears next to a nested includer",
		files: map[string]string{"inc/y.h": "#define YV 1\n", "sub/x.h": "#include \"y.h\"\n",
			"a.c": "#include \"sub/x.h\"\nint v = YV;\n"},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("sub/y.h", "#define YV 2\n"),
	}, {
		name:   "header created in a CPATH dir shadows a system header",
		files:  map[string]string{"{X}/include/other.h": "", "a.c": "#include <limits.h>\nint v = CHAR_BIT;\n"},
		env:    []string{"CPATH={X}/include"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("{X}/include/limits.h", "#define CHAR_BIT 9\n"),
	}, {
		name:   "__has_include of a file that appears in an -I dir under /opt",
		files:  map[string]string{"{X}/include/other.h": "", "a.c": hasInclude},
		cmd:    []string{"gcc", "-I{X}/include", "-c", "a.c", "-o", "a.o"},
		mutate: edit("{X}/include/feature.h", "#define FEATURE 4\n"),
	}} {
		s.class = "absence"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

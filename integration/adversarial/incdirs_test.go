package adversarial

import (
	"strings"
	"testing"
)

// An include directory that names something other than a directory: gcc
// warns that it is not one and searches on. Whether it is a file, a
// directory or nothing is an input: it decides the warning, and a
// directory there joins the search. And the other way round, a
// __has_include that finds a directory finds nothing.
func TestIncludeDirKind(t *testing.T) {
	h := map[string]string{"b/h.h": "#define HV 1\n", "a.c": "#include <h.h>\nint v = HV;\n"}
	withFile := map[string]string{"a": "not a directory\n", "b/h.h": "#define HV 1\n", "a.c": "#include <h.h>\nint v = HV;\n"}
	for _, s := range []spec{{
		// A worker that lacks the file would not warn.
		name:  "-I names a file, which becomes a directory with the header",
		files: withFile,
		cmd:   []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) {
			k.sh("rm a && mkdir a")
			k.write("a/h.h", "#define HV 2\n")
		},
	}, {
		// A record that states the directory missing must not hold
		// once a file stands there: the compiler now warns.
		name:   "-I dir that does not exist becomes a file",
		files:  h,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a", "not a directory\n"),
	}, {
		name:   "CPATH entry that does not exist becomes a file",
		files:  h,
		env:    []string{"CPATH={R}/cp"},
		cmd:    []string{"gcc", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: edit("cp", "not a directory\n"),
	}, {
		// The directory holds no input, yet its existence is one.
		name:   "-Wmissing-include-dirs: a missing -I dir is created",
		files:  h,
		cmd:    []string{"gcc", "-Wmissing-include-dirs", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("mkdir a") },
	}, {
		name:   "-Wmissing-include-dirs: an empty -I dir is removed",
		files:  map[string]string{"a/.keep": "", "b/h.h": "#define HV 1\n", "a.c": "#include <h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Wmissing-include-dirs", "-Ia/sub", "-Ib", "-c", "a.c", "-o", "a.o"},
		setup:  func(k *kase) { k.sh("mkdir a/sub") },
		mutate: func(k *kase) { k.sh("rmdir a/sub") },
	}, {
		// gcc's __has_include is false for a directory: nothing to
		// upload there, and no remote failure to fall back from.
		name: "__has_include of a directory, which becomes a file",
		files: map[string]string{"sub/.keep": "",
			"a.c": "#if __has_include(\"sub\")\nint v = 1;\n#else\nint v = 2;\n#endif\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm -r sub && echo x > sub") },
		want: func(phase, outcome string) string {
			if strings.Contains(outcome, "fallback") {
				return "rex fell back: " + outcome
			}
			return ""
		},
	}} {
		s.class = "absence"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

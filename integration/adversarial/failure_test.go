package adversarial

import (
	"strings"
	"testing"
)

// A compile error is the compile's result; a failure a missing input could
// explain is rex's and must never reach the user.
func TestRemoteFailure(t *testing.T) {
	for _, s := range []spec{{
		name: "compile error replayed exactly",
		files: map[string]string{"a.c": "int f(void) {\n  int unused;\n  return undefined_name\n}\n",
			"b.c": "#warning \"a warning before the error\"\n#include \"a.c\"\n"},
		cmd:    []string{"gcc", "-Wall", "-c", "b.c", "-o", "b.o"},
		mutate: edit("a.c", "int f(void) {\n  int unused;\n  return 0;\n}\n"),
	}, {
		name:   "absolute source in a sibling of the build directory",
		files:  map[string]string{"src/h.h": "#define HV 9\n", "src/a.c": "#include \"h.h\"\nint v = HV;\n"},
		dir:    "build",
		cmd:    []string{"gcc", "-c", "{R}/src/a.c", "-o", "a.o"},
		mutate: edit("src/h.h", "#define HV 10\n"),
	}, {
		name:   "quote include through an empty directory and ..",
		files:  map[string]string{"h.h": "#define HV 1\n", "a.c": "#include \"sub/../h.h\"\nint v = HV;\n"},
		setup:  func(k *kase) { k.sh("mkdir sub") },
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("h.h", "#define HV 2\n"),
	}, {
		name:   "-I of an empty directory and ..",
		files:  map[string]string{"inc/h2.h": "#define HV 3\n", "src/a.c": "#include <h2.h>\nint v = HV;\n"},
		setup:  func(k *kase) { k.sh("mkdir inc/empty") },
		cmd:    []string{"gcc", "-Iinc/empty/..", "-c", "src/a.c", "-o", "a.o"},
		mutate: edit("inc/h2.h", "#define HV 4\n"),
	}, {
		name:   "a dollar sign in a header name",
		files:  map[string]string{"we$ird.h": "#define HV 5\n", "a.c": "#include \"we$ird.h\"\nint v = HV;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("we$ird.h", "#define HV 6\n"),
	}, {
		name:   "a space in an include directory",
		files:  map[string]string{"my inc/h.h": "#define HV 7\n", "a.c": "#include <h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Imy inc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("my inc/h.h", "#define HV 8\n"),
	}} {
		s.class = "remote-failure"
		t.Run(strings.ReplaceAll(s.name, "$", "dollar"), func(t *testing.T) { run(t, s) })
	}
}

// What a user sees of a compile besides its object.
func TestBehaviour(t *testing.T) {
	long := "a-build-directory-with-a-rather-long-name-so-that-make-rules-wrap/and-nested-once-more"
	for _, s := range []spec{{
		name:  "-o into a directory that does not exist",
		files: map[string]string{"a.c": "int v = 1;\n"},
		cmd:   []string{"gcc", "-c", "a.c", "-o", "missing/a.o"},
	}, {
		name:  "umask 077",
		files: map[string]string{"a.c": "int v = 2;\n"},
		umask: "077",
		cmd:   []string{"gcc", "-MD", "-c", "a.c", "-o", "a.o"},
	}, {
		name:  "umask 002",
		files: map[string]string{"a.c": "int v = 3;\n"},
		umask: "002",
		cmd:   []string{"gcc", "-MD", "-c", "a.c", "-o", "a.o"},
	}, {
		name: "CMake-style dep file with long absolute paths",
		files: map[string]string{long + "/src/include/some-header-with-a-long-name.h": "#define HV 1\n",
			long + "/src/a.c": "#include \"some-header-with-a-long-name.h\"\nint v = HV;\n"},
		dir: long + "/build",
		cmd: []string{"gcc", "-I{R}/" + long + "/src/include", "-MD", "-MT", "CMakeFiles/a.dir/src/a.c.o",
			"-MF", "CMakeFiles/a.dir/src/a.c.o.d", "-o", "CMakeFiles/a.dir/src/a.c.o", "-c", "{R}/" + long + "/src/a.c"},
		setup:  func(k *kase) { k.sh("mkdir -p '" + long + "/build/CMakeFiles/a.dir/src'") },
		mutate: edit(long+"/src/include/some-header-with-a-long-name.h", "#define HV 2\n"),
	}, {
		// The same with the sources under the build directory, so that rex
		// can run it remotely and the dep file itself is what is compared.
		name: "CMake-style dep file with long absolute paths, sources under the cwd",
		files: map[string]string{long + "/src/include/some-header-with-a-long-name.h": "#define HV 3\n",
			long + "/src/a.c": "#include \"some-header-with-a-long-name.h\"\nint v = HV;\n"},
		dir: long,
		cmd: []string{"gcc", "-I{R}/" + long + "/src/include", "-MD", "-MT", "CMakeFiles/a.dir/src/a.c.o",
			"-MF", "CMakeFiles/a.dir/src/a.c.o.d", "-o", "CMakeFiles/a.dir/src/a.c.o", "-c", "{R}/" + long + "/src/a.c"},
		setup:  func(k *kase) { k.sh("mkdir -p '" + long + "/CMakeFiles/a.dir/src'") },
		mutate: edit(long+"/src/include/some-header-with-a-long-name.h", "#define HV 4\n"),
	}, {
		name:   "GCC_COLORS set",
		files:  map[string]string{"w.c": "int f(int x) { if (x) return 1; }\n"},
		cmd:    []string{"gcc", "-fdiagnostics-color=always", "-Wall", "-c", "w.c", "-o", "w.o"},
		mutate: func(k *kase) { k.env = []string{"GCC_COLORS=error=01;35:warning=01;32:locus=04:quote=01;36"} },
	}, {
		name:  "-gsplit-dwarf -g0",
		files: map[string]string{"a.c": "int v = 4;\nint f(void) { return v; }\n"},
		cmd:   []string{"gcc", "-gsplit-dwarf", "-g0", "-c", "a.c", "-o", "a.o"},
	}, {
		name:  "-g -gsplit-dwarf",
		files: map[string]string{"a.c": "int v = 5;\nint f(void) { return v; }\n"},
		cmd:   []string{"gcc", "-g", "-gsplit-dwarf", "-c", "a.c", "-o", "a.o"},
	}} {
		s.class = "behaviour"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

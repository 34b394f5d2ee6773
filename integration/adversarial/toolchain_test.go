package adversarial

import "testing"

// Headers outside the project root are inputs like any other: a worker has
// the compiler's own installation, not /opt.
func TestToolchain(t *testing.T) {
	for _, s := range []spec{{
		name:   "opt include via -I",
		files:  map[string]string{"{X}/include/opt.h": "#define OPTV 1\n", "a.c": "#include <opt.h>\nint v = OPTV;\n"},
		cmd:    []string{"gcc", "-I{X}/include", "-c", "a.c", "-o", "a.o"},
		mutate: edit("{X}/include/opt.h", "#define OPTV 2\n"),
	}, {
		name:   "opt include via CPATH, header edited",
		files:  map[string]string{"{X}/include/opt.h": "#define OPTV 3\n", "a.c": "#include <opt.h>\nint v = OPTV;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"CPATH={X}/include"},
		mutate: edit("{X}/include/opt.h", "#define OPTV 4\n"),
	}, {
		name: "opt include via CPATH, CPATH changed",
		files: map[string]string{"{X}/one/opt.h": "#define OPTV 5\n", "{X}/two/opt.h": "#define OPTV 6\n",
			"a.c": "#include <opt.h>\nint v = OPTV;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"CPATH={X}/one"},
		mutate: func(k *kase) { k.env = []string{"CPATH={X}/two"} },
	}, {
		name:   "absolute quote include",
		files:  map[string]string{"{X}/abs.h": "#define ABSV 1\n", "a.c": "#include \"{X}/abs.h\"\nint v = ABSV;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("{X}/abs.h", "#define ABSV 2\n"),
	}, {
		name:   "absolute source outside the cwd",
		files:  map[string]string{"{X}/src/h.h": "#define SRCV 1\n", "{X}/src/a.c": "#include \"h.h\"\nint v = SRCV;\n"},
		cmd:    []string{"gcc", "-c", "{X}/src/a.c", "-o", "a.o"},
		mutate: edit("{X}/src/h.h", "#define SRCV 2\n"),
	}} {
		s.class = "toolchain"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

// Out-of-tree builds of a tree that is not a git checkout: the default
// project root is then the build directory, which holds none of the sources.
func TestRoot(t *testing.T) {
	src := map[string]string{
		"src/include/a.h": "#define AV 1\nint twice(int);\n",
		"src/a.cc":        "#include \"include/a.h\"\nint twice(int x) { return AV * 2 * x; }\n",
	}
	for _, s := range []spec{{
		name: "relative out-of-tree build",
		dir:  "build",
		cmd:  []string{"g++", "-c", "../src/a.cc", "-o", "a.o"},
	}, {
		name: "CMake style build dir inside the source tree",
		dir:  "src/build",
		cmd: []string{"g++", "-I{R}/src/include", "-O2", "-MD", "-MT", "CMakeFiles/a.dir/a.cc.o",
			"-MF", "CMakeFiles/a.dir/a.cc.o.d", "-o", "CMakeFiles/a.dir/a.cc.o", "-c", "{R}/src/a.cc"},
		setup: func(k *kase) { k.sh("mkdir -p src/build/CMakeFiles/a.dir") },
	}, {
		name: "cmake -S src -B ../build sibling build dir",
		dir:  "build",
		cmd: []string{"g++", "-I{R}/src/include", "-MD", "-MT", "CMakeFiles/a.dir/a.cc.o",
			"-MF", "CMakeFiles/a.dir/a.cc.o.d", "-o", "CMakeFiles/a.dir/a.cc.o", "-c", "{R}/src/a.cc"},
		setup: func(k *kase) { k.sh("mkdir -p build/CMakeFiles/a.dir") },
	}} {
		s.class, s.files = "root", src
		s.mutate = edit("src/include/a.h", "#define AV 3\nint twice(int);\n")
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

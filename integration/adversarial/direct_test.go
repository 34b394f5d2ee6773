package adversarial

import "testing"

// Direct mode serves a compile from a record of what it read and where the
// compiler searched in vain, without scanning. Every change below must
// invalidate the record (run() compiles twice after the files aged, so the
// mutation meets a record), and the compile after it must be the local one.
func TestDirect(t *testing.T) {
	two := map[string]string{"b/h.h": "#define HV 1\n", "c/h.h": "#define HV 2\n", "a.c": "#include <h.h>\nint v = HV;\n"}
	sub := map[string]string{"b/sub/h.h": "#define HV 1\n", "a/sub/other.h": "", "a.c": "#include <sub/h.h>\nint v = HV;\n"}
	for _, s := range []spec{{
		name:   "response file edited",
		files:  map[string]string{"args.rsp": "-DV=1\n", "a.c": "int v = V;\n"},
		cmd:    []string{"gcc", "@args.rsp", "-c", "a.c", "-o", "a.o"},
		mutate: edit("args.rsp", "-DV=2\n"),
	}, {
		name:   "header removed, a later -I dir has one",
		files:  two,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-Ic", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm b/h.h") },
	}, {
		name:   "header replaced by a symlink to another",
		files:  two,
		cmd:    []string{"gcc", "-Ib", "-Ic", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("ln -sf ../c/h.h b/h.h") },
	}, {
		name:   "include dir replaced by a symlink",
		files:  two,
		cmd:    []string{"gcc", "-Id", "-Ic", "-c", "a.c", "-o", "a.o"},
		setup:  func(k *kase) { k.sh("ln -s c d") },
		mutate: func(k *kase) { k.sh("rm d && ln -s b d") },
	}, {
		name:   "header with a directory part created in an earlier dir's existing subdir",
		files:  sub,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a/sub/h.h", "#define HV 2\n"),
	}, {
		name:   "header with a directory part created under a new subdir",
		files:  map[string]string{"b/sub/h.h": "#define HV 1\n", "a/other.h": "", "a.c": "#include <sub/h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a/sub/h.h", "#define HV 3\n"),
	}, {
		// The record states a place that exists by its kind: a directory
		// the compiler searched past must not turn into a header unseen.
		name:   "directory named like the header in an earlier -I dir replaced by a header",
		files:  map[string]string{"a/h.h/.keep": "", "b/h.h": "#define HV 1\n", "a.c": "#include <h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("rm -r a/h.h && echo '#define HV 2' > a/h.h") },
	}, {
		name:   "header edited to the same size",
		files:  map[string]string{"h.h": "#define HV 1\n", "a.c": "#include \"h.h\"\nint v = HV;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("h.h", "#define HV 2\n"),
	}, {
		name:   "header touched, content unchanged",
		files:  map[string]string{"h.h": "#define HV 1\n", "a.c": "#include \"h.h\"\nint v = HV;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.sh("touch h.h") },
	}, {
		name:   "quote include created beside a header found through -I",
		files:  map[string]string{"inc/x.h": "#include \"y.h\"\n", "y/y.h": "#define YV 1\n", "a.c": "#include <x.h>\nint v = YV;\n"},
		cmd:    []string{"gcc", "-Iinc", "-Iy", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/y.h", "#define YV 2\n"),
	}, {
		name:   "C++ system header shadowed by -I dir created later",
		tool:   "g++",
		files:  map[string]string{"a.cc": "#include <vector>\nint v = sizeof(std::vector<int>);\n"},
		cmd:    []string{"g++", "-Ishadow", "-c", "a.cc", "-o", "a.o"},
		mutate: edit("shadow/vector", "namespace std { template <class T> struct vector { char c[3]; }; }\n"),
	}, {
		name:   "clang: header created in an earlier -I dir",
		tool:   "clang",
		files:  two,
		cmd:    []string{"clang", "-Ia", "-Ic", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a/h.h", "#define HV 7\n"),
	}, {
		name:   "compiler changed behind the same name",
		tool:   "clang",
		files:  map[string]string{"bin/.keep": "", "a.c": "#ifdef __clang__\nint v = 1;\n#else\nint v = 2;\n#endif\n"},
		env:    []string{"PATH={R}/bin:{PATH}"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("bin/gcc", "@link:/usr/bin/clang"),
	}, {
		name:   "-D changed",
		files:  map[string]string{"a.c": "int v = V;\n"},
		cmd:    []string{"gcc", "-DV=1", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.cmd = []string{"gcc", "-DV=2", "-c", "a.c", "-o", "a.o"} },
	}, {
		name:   "dep file written by the compile and replayed by the record",
		files:  map[string]string{"h.h": "#define HV 1\n", "a.c": "#include \"h.h\"\nint v = HV;\n"},
		cmd:    []string{"gcc", "-MD", "-MF", "a.d", "-c", "a.c", "-o", "a.o"},
		mutate: edit("h.h", "#define HV 2\n#include \"g.h\"\n"),
		setup:  func(k *kase) { k.write("g.h", "") },
	}} {
		s.class = "direct"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

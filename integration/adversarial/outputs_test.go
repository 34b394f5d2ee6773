package adversarial

import "testing"

// An output that is a symlink: the compiler writes the dependency file and
// the stack usage file through it (the link stays, its target changes),
// where rex's atomic rename would replace the link and leave the target
// stale for the build that reads it.
func TestOutputLinks(t *testing.T) {
	src := map[string]string{"a.c": "int f(void) { return 1; }\n", "real/out": "old\n"}
	for _, s := range []spec{{
		name:   "dependency file is a symlink",
		files:  src,
		setup:  func(k *kase) { k.write("a.d", "@link:real/out") },
		cmd:    []string{"gcc", "-MD", "-MF", "a.d", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a.c", "int f(void) { return 2; }\n"),
	}, {
		name:   "clang: dependency file is a symlink",
		tool:   "clang",
		files:  src,
		setup:  func(k *kase) { k.write("a.d", "@link:real/out") },
		cmd:    []string{"clang", "-MD", "-MF", "a.d", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a.c", "int f(void) { return 2; }\n"),
	}, {
		name:   "stack usage file is a symlink",
		files:  src,
		setup:  func(k *kase) { k.write("a.su", "@link:real/out") },
		cmd:    []string{"gcc", "-fstack-usage", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a.c", "int f(void) { return 2; }\n"),
	}, {
		// The assembler removes the object before it writes it: the
		// link goes, locally as with rex.
		name:   "object is a symlink",
		files:  src,
		setup:  func(k *kase) { k.write("a.o", "@link:real/out") },
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a.c", "int f(void) { return 2; }\n"),
	}, {
		// The kernel resolves link/.. through the symlink: the object
		// goes beside the link's target, not beside the link.
		name: "object path with .. after a symlink",
		files: map[string]string{"d/sub/h.h": "#define HV 1\n", "link": "@link:d/sub",
			"a.c": "#include <h.h>\nint v = HV;\n"},
		cmd:    []string{"gcc", "-Ilink", "-MD", "-c", "a.c", "-o", "link/../a.o"},
		mutate: edit("d/sub/h.h", "#define HV 2\n"),
	}} {
		s.class = "outputs"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

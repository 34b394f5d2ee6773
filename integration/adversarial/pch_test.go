package adversarial

import "testing"

// gcc looks for name.gch in each directory it searches for a header the
// source includes, just before the header itself, and reads a valid one
// instead: -M lists the header it would have read (or nothing of the
// .gch). Neither a worker without the .gch nor a record that never looked
// for it may stand for that compile.
func TestPrecompiledHeaders(t *testing.T) {
	src := map[string]string{"b/x.h": "const int xv = 1;\n", "c.c": "#include <x.h>\nint get(void) { return xv; }\n"}
	// pch makes a/x.h.gch from a header that says xv is v, and removes
	// the header: the .gch alone stands in the earlier directory.
	pch := func(dir, v string) func(*kase) {
		return func(k *kase) {
			k.sh("mkdir -p " + dir + " && echo 'const int xv = " + v + ";' > " + dir + "/x.h && gcc -x c-header " + dir + "/x.h -o " + dir + "/x.h.gch && rm " + dir + "/x.h")
		}
	}
	for _, s := range []spec{{
		name:   "x.h.gch alone in an earlier -I dir",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  pch("a", "7"),
		mutate: pch("a", "8"),
	}, {
		// gcc reads "#\", newline, "include <x.h>" as the include.
		name:   "x.h.gch alone in an earlier -I dir, the include spelled over a backslash-newline",
		files:  map[string]string{"b/x.h": src["b/x.h"], "c.c": "#\\\ninclude <x.h>\nint get(void) { return xv; }\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  pch("a", "7"),
		mutate: pch("a", "8"),
	}, {
		name:   "x.h.gch alone in an earlier -I dir, the include after a comment's last line",
		files:  map[string]string{"b/x.h": src["b/x.h"], "c.c": "/* c\n*/ #include <x.h>\nint get(void) { return xv; }\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  pch("a", "7"),
		mutate: pch("a", "8"),
	}, {
		// gcc skips a null character as a blank (with a warning).
		name:   "x.h.gch alone in an earlier -I dir, the include after a null character",
		files:  map[string]string{"b/x.h": src["b/x.h"], "c.c": "\x00#include <x.h>\nint get(void) { return xv; }\n"},
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  pch("a", "7"),
		mutate: pch("a", "8"),
	}, {
		name:   "x.h.gch appears in an earlier -I dir",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh("mkdir a") },
		mutate: pch("a", "9"),
	}, {
		name:  "x.h.gch appears beside the header",
		files: src,
		cmd:   []string{"gcc", "-Ib", "-c", "c.c", "-o", "c.o"},
		mutate: func(k *kase) {
			k.sh("cp b/x.h saved && echo 'const int xv = 5;' > b/x.h && gcc -x c-header b/x.h -o b/x.h.gch && cp saved b/x.h && rm saved")
		},
	}} {
		s.class = "unlisted"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

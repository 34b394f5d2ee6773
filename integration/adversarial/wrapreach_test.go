package adversarial

import (
	"strings"
	"testing"
)

// A probe wrapper can be reached, or its argument built, in ways its name
// as written does not show: the uses below probe a header that then
// appears, and rex must either key that probe or compile locally.
func TestProbeWrappersReach(t *testing.T) {
	const wrap = "#define PROBE_H(x) __has_include(x)\n"
	body := func(cond string) string {
		return "#if " + cond + "\n#define FEATURE 2\n#else\n#define FEATURE 1\n#endif\nint v = FEATURE;\n"
	}
	for _, s := range []spec{{
		name:   "the name made by token pasting",
		files:  map[string]string{"w.h": wrap + "#define CAT(a, b) a##b\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("CAT(PROBE, _H)(<feature.h>)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		name:   "the name made by token pasting, a piece on the command line",
		files:  map[string]string{"w.h": wrap + "#define CAT(a, b) a##b\n#define XCAT(a, b) CAT(a, b)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("XCAT(HEAD, _H)(<feature.h>)")},
		cmd:    []string{"gcc", "-DHEAD=PROBE", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		name:   "an angled name built from a parameter of another macro",
		files:  map[string]string{"w.h": wrap + "#define HAVE(f) PROBE_H(<f.h>)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE(feature)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}, {
		name:   "a literal angled probe built from a parameter",
		files:  map[string]string{"w.h": "#define HAVE(f) __has_include(<f.h>)\n", "inc/other.h": "", "a.c": "#include \"w.h\"\n" + body("HAVE(feature)")},
		cmd:    []string{"gcc", "-Iinc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("inc/feature.h", "\n"),
	}} {
		s.class = "wrappers"
		if strings.Contains(s.name, "PROBE") {
			t.Fatalf("case %q: its name, written into the source, would be a use", s.name)
		}
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

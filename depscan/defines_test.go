package depscan

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

func TestDefinesAny(t *testing.T) {
	names := []string{"tbb", "h"}
	for _, c := range []struct{ name, src, want string }{
		{"none", "#include <tbb/tbb.h>\nint tbb;\n#ifdef h\n#undef h\n", ""},
		{"object-like", "#if 0\n# define tbb other\n#endif\n", "tbb"},
		{"function-like", "#define h(x) x\n", "h"},
		{"digraph and comment", "%:define /* c */ h 1\n", "h"},
		{"spliced", "#def\\\nine tb\\\nb 1\n", "tbb"},
		{"trigraph", "??=define h 1\n", "h"},
		{"CR lines", "int a;\r#define h 1\r", "h"},
		{"longer names", "#define tbbx 1\n#define hh 1\n", ""},
	} {
		if got := DefinesAny([]byte(c.src), names); got != c.want {
			t.Errorf("%s: DefinesAny(%q) = %q, want %q", c.name, c.src, got, c.want)
		}
	}
}

// TestPredefinedWords checks the list against the compilers installed:
// each macro they predefine outside the reserved names, in GNU modes.
func TestPredefinedWords(t *testing.T) {
	for _, cc := range [][]string{{"gcc", "-std=gnu17", "-x", "c"}, {"g++", "-std=gnu++20", "-x", "c++"}, {"clang", "-std=gnu17", "-x", "c"}, {"gcc", "-m32", "-x", "c"}} {
		if _, err := exec.LookPath(cc[0]); err != nil {
			continue
		}
		out, err := exec.Command(cc[0], append(cc[1:], "-dM", "-E", "/dev/null")...).Output()
		if err != nil {
			continue // -m32 needs a multilib
		}
		for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "#define" && !strings.HasPrefix(f[1], "_") && !PredefinedWord(f[1]) {
				t.Errorf("%v predefines %s, which PredefinedWord does not know", cc, f[1])
			}
		}
	}
}

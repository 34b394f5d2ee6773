package hermetic

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const (
	helloCpp = "#include <iostream>\n#include <vector>\n#include \"util.h\"\n" +
		"int main() { std::vector<int> v{UTIL}; std::cout << __FILE__ << v[0] << std::endl; }\n"
	helloC = "#include <stdio.h>\n#include <math.h>\n#include \"util.h\"\n" +
		"int main(void) { printf(\"%s %f\\n\", __FILE__, sqrt(UTIL)); return 0; }\n"
	utilH = "#define UTIL 42\n"
)

// compiles are the compiles of the hello project, for every compiler
// installed here (gcc and g++ 12 must be), with and without debug info:
// each argv relative to the project root, whose absolute path is root.
func compiles(t *testing.T, root string) [][]string {
	var out [][]string
	for _, c := range []struct{ cc, src string }{
		{"gcc", "src/hello.c"}, {"g++", "src/hello.cpp"}, {"x86_64-linux-gnu-g++-12", "src/hello.cpp"},
		{"clang", "src/hello.c"}, {"clang++", "src/hello.cpp"},
	} {
		if _, err := exec.LookPath(c.cc); err != nil {
			if c.cc == "gcc" || c.cc == "g++" {
				t.Fatal(err)
			}
			continue
		}
		for _, g := range []string{"-g0", "-g"} {
			o := fmt.Sprintf("out/%s%s.o", c.cc, g)
			out = append(out, []string{c.cc, "-O2", g, "-ffile-prefix-map=" + root + "=.", "-Iinclude", "-c", c.src, "-o", o})
		}
	}
	return out
}

func newProject(t *testing.T, root string) {
	os.MkdirAll(filepath.Join(root, ".git"), 0o755)
	os.MkdirAll(filepath.Join(root, "out"), 0o755)
	write(t, filepath.Join(root, "src/hello.cpp"), helloCpp)
	write(t, filepath.Join(root, "src/hello.c"), helloC)
	write(t, filepath.Join(root, "include/util.h"), utilH)
}

// TestHermeticHello: every compile runs remotely on a worker that has only
// what the action brought, into the local object; a second machine (its
// own REX_DIR, the project elsewhere) gets hits with the same objects.
func TestHermeticHello(t *testing.T) {
	sys := start(t)
	base := t.TempDir()
	a, b := filepath.Join(base, "a", "hello"), filepath.Join(base, "elsewhere", "x", "hello")
	newProject(t, a)
	newProject(t, b)
	ref := filepath.Join(base, "a", "ref")
	newProject(t, ref)
	ma := sys.machine(t)
	for _, argv := range compiles(t, a) {
		ma.compile(t, a, argv...)
	}
	for _, argv := range compiles(t, ref) {
		local(t, ref, argv...)
	}
	n := int64(len(compiles(t, a)))
	if s := ma.stats(t); s.Remote != n || s.Fallbacks != 0 || s.LocalRuns != 0 || s.Hits != 0 {
		t.Errorf("first machine: want %d remote executions and nothing else, got %+v", n, s)
	}
	mb := sys.machine(t)
	for _, argv := range compiles(t, b) {
		mb.compile(t, b, argv...)
	}
	if s := mb.stats(t); s.Hits != n || s.Fallbacks != 0 || s.Remote != 0 {
		t.Errorf("second machine: want %d hits and nothing else, got %+v", n, s)
	}
	identical := 0
	for _, argv := range compiles(t, a) {
		o := argv[len(argv)-1]
		for _, dir := range []string{a, b} {
			if sameFile(t, filepath.Join(ref, o), filepath.Join(dir, o)) {
				identical++
			} else {
				t.Errorf("%s in %s differs from the local compile's", o, dir)
			}
		}
	}
	// Debug info without a prefix map of the user's: the object records
	// the local directory, as a local compile's does.
	nomap := []string{"g++", "-g", "-Iinclude", "-c", "src/hello.cpp", "-o"}
	ma.compile(t, a, append(nomap, "out/nomap-rex.o")...)
	local(t, a, append(nomap, "out/nomap-local.o")...)
	if !sameFile(t, filepath.Join(a, "out/nomap-local.o"), filepath.Join(a, "out/nomap-rex.o")) {
		t.Error("with -g and no prefix map, the hermetic object differs from the local one")
	}
	t.Logf("%d compiles remote, %d hits on a second machine, %d of %d objects identical to local", n, n, identical, 2*n)
}

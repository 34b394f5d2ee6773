package wrapper

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/stats"
)

const warnSrc = `#include <cassert>
#include "util.h"
int f(int x) { int unused; assert(x > 0); return x + UTIL + sizeof(__FILE__); }
`

// checkout lays out a project with absolute include and source paths, the
// way CMake passes them, and returns the compile command run from build/.
func checkout(t *testing.T, p *project, extra ...string) []string {
	t.Helper()
	os.Mkdir(filepath.Join(p.dir, ".git"), 0o755)
	p.write("src/util.h", "#define UTIL 3\n")
	p.write("src/x.cc", warnSrc)
	os.MkdirAll(filepath.Join(p.dir, "build"), 0o755)
	argv := append([]string{"g++", "-g", "-Wall", "-O1"}, extra...)
	return append(argv, "-MD", "-MT", "x.o", "-MF", "x.d",
		"-I"+filepath.Join(p.dir, "src"), "-c", filepath.Join(p.dir, "src", "x.cc"), "-o", "x.o")
}

type outputs struct{ obj, dep, stderr []byte }

func localCompile(t *testing.T, dir string, argv []string) outputs {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Stderr = dir, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("local compile: %v\n%s", err, stderr.String())
	}
	return collect(t, dir, stderr.Bytes())
}

func collect(t *testing.T, dir string, stderr []byte) outputs {
	t.Helper()
	obj, err := os.ReadFile(filepath.Join(dir, "x.o"))
	if err != nil {
		t.Fatal(err)
	}
	dep, _ := os.ReadFile(filepath.Join(dir, "x.d"))
	os.Remove(filepath.Join(dir, "x.o"))
	os.Remove(filepath.Join(dir, "x.d"))
	return outputs{obj, dep, stderr}
}

func (p *project) rexCompile(t *testing.T, argv []string, want stats.Outcome) outputs {
	t.Helper()
	build := p.dir + "/build"
	saved := p.dir
	p.dir = build
	r := p.run(argv...)
	p.dir = saved
	if r.Outcome != want {
		t.Fatalf("outcome %v (%v), want %v", r.Outcome, r.Reason, want)
	}
	return collect(t, build, r.Stderr)
}

func same(t *testing.T, what string, got, want outputs) {
	t.Helper()
	if !bytes.Equal(got.obj, want.obj) {
		t.Errorf("%s: object differs from the local compile", what)
	}
	// The scan writes the dep file locally: byte for byte the compiler's.
	if !bytes.Equal(got.dep, want.dep) {
		t.Errorf("%s: dep file differs:\n%s\nwant:\n%s", what, got.dep, want.dep)
	}
	if !bytes.Equal(got.stderr, want.stderr) {
		t.Errorf("%s: stderr differs:\n%s\nwant:\n%s", what, got.stderr, want.stderr)
	}
}

// Absolute paths, -g and __FILE__ through remote execution: the object,
// dep file and warnings are byte-identical to a local compile.
func TestAbsolutePathsAndDebugInfo(t *testing.T) {
	srv := startServerWith(t, 2)
	p := newProject(t, srv.addr)
	argv := checkout(t, p)
	want := localCompile(t, p.dir+"/build", argv)
	if !bytes.Contains(want.stderr, []byte("unused")) || !bytes.Contains(want.dep, []byte(p.dir)) {
		t.Fatalf("the local compile should warn and list absolute paths: %s %s", want.stderr, want.dep)
	}
	same(t, "remote execution", p.rexCompile(t, argv, stats.RemoteExecution), want)
	same(t, "cache hit", p.rexCompile(t, argv, stats.CacheHit), want)
}

// With -ffile-prefix-map of the root, a second checkout elsewhere gets cache
// hits whose outputs match its own local compile.
func TestSecondCheckoutSharesHits(t *testing.T) {
	srv := startServerWith(t, 2)
	first := newProject(t, srv.addr)
	argv := checkout(t, first, "-ffile-prefix-map="+first.dir+"=.")
	first.rexCompile(t, argv, stats.RemoteExecution)

	second := newProject(t, srv.addr)
	argv2 := checkout(t, second, "-ffile-prefix-map="+second.dir+"=.")
	want := localCompile(t, second.dir+"/build", argv2)
	got := second.rexCompile(t, argv2, stats.CacheHit)
	same(t, "second checkout", got, want)
	if strings.Contains(string(got.dep), first.dir) {
		t.Errorf("the second checkout's dep file names the first checkout")
	}
}

// Cache-only mode stores portable results too: a remote hit in another
// checkout gets its own paths back.
func TestCacheOnlyPortable(t *testing.T) {
	srv := startServer(t)
	first := newProject(t, srv.addr)
	first.cfg.CacheOnly = true
	argv := checkout(t, first, "-ffile-prefix-map="+first.dir+"=.")
	first.rexCompile(t, argv, stats.CacheMiss)

	second := newProject(t, srv.addr)
	argv2 := checkout(t, second, "-ffile-prefix-map="+second.dir+"=.")
	want := localCompile(t, second.dir+"/build", argv2)
	same(t, "cache-only hit", second.rexCompile(t, argv2, stats.CacheHit), want)
}

func TestScriptQuoting(t *testing.T) {
	got := shellWord("-I" + rootMarker + "/it's dir")
	if got != `'-I'"$R"'/it'\''s dir'` {
		t.Errorf("shellWord = %s", got)
	}
	out, err := exec.Command("/bin/sh", "-c", "R=/x; printf '%s' "+got).Output()
	if err != nil || string(out) != "-I/x/it's dir" {
		t.Errorf("sh read %q (%v)", out, err)
	}
}

func normalizeRule(b []byte) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(string(b), "\\\n", " ")), " ")
}

// -fstack-usage's .su file names the source as the compiler saw it, which
// no prefix map changes: it comes back naming the local path.
func TestStackUsageNamesLocalPaths(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	argv := checkout(t, p, "-fstack-usage")
	build := filepath.Join(p.dir, "build")
	local := localCompile(t, build, argv) // removes x.o and x.d, keeps x.su
	want, err := os.ReadFile(filepath.Join(build, "x.su"))
	if err != nil || !bytes.Contains(want, []byte(p.dir)) {
		t.Fatalf("local .su should name the local source: %q, %v", want, err)
	}
	os.Remove(filepath.Join(build, "x.su"))
	got := p.rexCompile(t, argv, stats.RemoteExecution)
	same(t, "remote execution", got, local)
	if su, _ := os.ReadFile(filepath.Join(build, "x.su")); !bytes.Equal(su, want) {
		t.Errorf(".su = %q, want %q", su, want)
	}
}

func TestSplitDwarfWithAbsoluteOutputRunsLocally(t *testing.T) {
	p := newProject(t, "unix:///nonexistent.sock")
	p.write("a.cc", "int a() { return 1; }\n")
	r := p.run("g++", "-g", "-gsplit-dwarf", "-c", "a.cc", "-o", filepath.Join(p.dir, "a.o"))
	if r.Outcome != stats.LocalRun {
		t.Errorf("outcome %v (%v), want a local run", r.Outcome, r.Reason)
	}
}

// TestUserPrefixMaps: the maps users write keep their meaning remotely: a
// map of a directory above the project, a macro map with a trailing
// slash, a debug and macro pair. Objects equal a local compile's.
func TestUserPrefixMaps(t *testing.T) {
	srv := startServerWith(t, 2)
	for name, extra := range map[string]func(dir string) []string{
		"above":          func(dir string) []string { return []string{"-ffile-prefix-map=" + filepath.Dir(dir) + "=/up"} },
		"above-slash":    func(dir string) []string { return []string{"-ffile-prefix-map=" + filepath.Dir(dir) + "/="} },
		"trailing-slash": func(dir string) []string { return []string{"-fmacro-prefix-map=" + dir + "/="} },
		"pair": func(dir string) []string {
			return []string{"-fdebug-prefix-map=" + dir + "=/d", "-fmacro-prefix-map=" + dir + "=/m"}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := newProject(t, srv.addr)
			argv := checkout(t, p, extra(p.dir)...)
			want := localCompile(t, p.dir+"/build", argv)
			same(t, "remote execution", p.rexCompile(t, argv, stats.RemoteExecution), want)
			same(t, "cache hit", p.rexCompile(t, argv, stats.CacheHit), want)
		})
	}
}

package realbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// layout is a project built the way its users lay it out, with rex's
// defaults: no REX_PROJECT_ROOT, the compiler named through CC or CMake's
// launcher. Paths are relative to the test's base directory, which holds
// the source and the build directory and has no .git above it.
type layout struct {
	name  string // short name for logs and the summary line
	pkg   string // corpus package (scripts/corpus/fetch)
	src   string // where the source is unpacked
	build string // the build directory: objects are collected under it
	// configure lists the commands run before the build (mkdir, cmake,
	// ../configure...); make is the build, whose compiles are counted.
	configure func(c compilers) []command
	make      func(c compilers) command
	// configOutputs are files written from compiler probes (by configure,
	// or by kbuild's syncconfig during the build), read after the build;
	// rex must not change what the probes decided.
	configOutputs []string
	// differ names objects that differ between two local builds of the same
	// tree, with the evidence; they are left out of the comparison.
	differ map[string]string
	// minRemote is the share (percent) of the build's .o files that must
	// have been compiled remotely: a build that silently compiles
	// everything locally would otherwise pass.
	minRemote int
	// noServer builds through rex with no server, as a new user with
	// nothing running has it (a local compiler cache): minRemote is then
	// the share filled into the local cache, and rebuild, run after the
	// rex build, must be served from it.
	noServer bool
	rebuild  func(c compilers) []command
}

// command is one step of a layout as a user types it.
type command struct {
	dir  string   // working directory, relative to the base directory
	env  []string // added to the environment
	argv []string
}

func cmd(dir string, argv ...string) command { return command{dir: dir, argv: argv} }

func (c command) with(env ...string) command {
	c.env = append(append([]string(nil), c.env...), env...)
	return c
}

// compilers names the compilers of one build: the plain ones, or the same
// behind rex the way each build system takes a wrapper.
type compilers struct{ rex bool }

func (c compilers) wrap(compiler string) string {
	if c.rex {
		return "rex " + compiler
	}
	return compiler
}

func (c compilers) CC() string  { return c.wrap("gcc") }
func (c compilers) CXX() string { return c.wrap("g++") }

// launchers are the CMake arguments that put rex in front of every compile.
func (c compilers) launchers() []string {
	if !c.rex {
		return nil
	}
	return []string{"-DCMAKE_C_COMPILER_LAUNCHER=rex", "-DCMAKE_CXX_COMPILER_LAUNCHER=rex"}
}

// layoutBuild is one build of a layout: a tree rooted at the build
// directory, so that the object helpers of objects_test.go (which look
// under a tree's root when the project names no generator) apply as they are.
type layoutBuild struct {
	l    *layout
	base string
	c    compilers
	tr   *tree
}

// newLayoutBuild unpacks src afresh at the layout's place under base and
// prepares the environment of a plain build (r == nil) or one through rex.
func newLayoutBuild(t *testing.T, l *layout, src, base string, r *rexEnv) *layoutBuild {
	t.Helper()
	for _, dir := range []string{l.src, l.build} {
		if err := os.RemoveAll(filepath.Join(base, dir)); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(base, l.src)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("copy %s to %s: %v\n%s", src, dst, err, out)
	}
	tr := &tree{p: &project{name: l.name}, root: filepath.Join(base, l.build), rex: r, logs: t.TempDir()}
	tr.env = cleanEnv()
	path := os.Getenv("PATH")
	if r != nil {
		// No REX_PROJECT_ROOT: rex picks the input root itself.
		path = filepath.Dir(r.bin) + string(os.PathListSeparator) + path
		if r.server != "" {
			tr.env = append(tr.env, "REX_SERVER="+r.server)
		}
		tr.env = append(tr.env, "REX_DIR="+r.dir)
	}
	tr.env = append(tr.env, "PATH="+path)
	return &layoutBuild{l: l, base: base, c: compilers{rex: r != nil}, tr: tr}
}

// run runs one command of the layout and returns how long it took.
func (b *layoutBuild) run(t *testing.T, step string, c command) time.Duration {
	t.Helper()
	start := time.Now()
	b.tr.run(t, step, filepath.Join(b.base, c.dir), c.env, c.argv[0], c.argv[1:]...)
	return time.Since(start)
}

func (b *layoutBuild) configure(t *testing.T) time.Duration {
	t.Helper()
	var took time.Duration
	for i, c := range b.l.configure(b.c) {
		took += b.run(t, fmt.Sprintf("configure-%d-%s", i+1, filepath.Base(c.argv[0])), c)
	}
	return took
}

// objects lists the build's objects, less those present before the build
// and those that differ between two local builds anyway.
func (b *layoutBuild) objects(t *testing.T, pre map[string]object) map[string]object {
	t.Helper()
	objs := b.tr.objects(t, pre)
	for rel := range b.l.differ {
		if _, ok := objs[rel]; !ok {
			t.Errorf("%s: %s is listed as differing between local builds but was not built", b.l.name, rel)
		}
		delete(objs, rel)
	}
	return objs
}

// readConfig returns the configure step's outputs by name.
func (b *layoutBuild) readConfig(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, name := range b.l.configOutputs {
		data, err := os.ReadFile(filepath.Join(b.base, name))
		if err != nil {
			t.Fatalf("%s: %v", b.l.name, err)
		}
		m[name] = string(data)
	}
	return m
}

// requireNoGit fails the test when dir or a directory above it holds .git:
// the layouts are unpacked sources, and a .git above would hand rex a
// project root the user's tree does not have.
func requireNoGit(t *testing.T, dir string) {
	t.Helper()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			t.Fatalf("%s holds .git, above the test's tree %s; set TMPDIR outside any git checkout", d, dir)
		}
		if filepath.Dir(d) == d {
			return
		}
	}
}

// countObjects counts the .o files among objs: libtool's .lo files are
// text files naming them, not compiles.
func countObjects(objs map[string]object) int {
	n := 0
	for rel := range objs {
		if strings.HasSuffix(rel, ".o") {
			n++
		}
	}
	return n
}

// serverLogOnFailure prints the end of the server's log when the test failed.
func serverLogOnFailure(t *testing.T, srv *testenv.Server) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rex-server log (end):\n%s", tail(srv.Log(), 40))
		}
	})
}

package worker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// idleSubtrees counts the subtrees waiting in a worker's directory cache.
func idleSubtrees(t *testing.T, e *testEnv) int {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(e.dir, dirCacheSubdir))
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// idOf is the identity of the worker's directory at p, as lent.
func idOf(t *testing.T, p string) subtreeID {
	t.Helper()
	id, ok := subtreeIDOf(p)
	if !ok {
		t.Fatalf("%s is not a directory only the worker may write", p)
	}
	return id
}

// An input subtree with no output in it goes back to the directory cache
// after a jailed action and comes out of it for the next action that has
// it; the action can read it but not change it, so the next one sees it as
// it was uploaded.
func TestDirCacheLendsSubtreesTheActionCannotChange(t *testing.T) {
	requireSandbox(t, JailOptions{})
	e := newEnv(t, Options{})
	inputs := []client.Input{
		{Path: "include/sys/a.h", Data: []byte("#define A 1\n")},
		{Path: "include/b.h", Data: []byte("#define B 2\n")},
		{Path: "src/x.c", Data: []byte("int x;\n")},
	}
	// The first action tries every way to change the shared subtree, then
	// writes its output next to its source, which stays writable.
	vandal := `cat include/sys/a.h include/b.h;
		echo evil > include/sys/new.h; echo evil > include/b.h; rm -f include/b.h;
		mv include/sys include/moved; chmod 777 include; touch include/sys/a.h;
		echo done > src/x.o`
	ar := e.result(t, e.run(t, e.upload(t, shCommand(vandal, "src/x.o"), inputs), time.Minute))
	if got := string(e.read(t, ar.GetStdoutDigest())); got != "#define A 1\n#define B 2\n" {
		t.Errorf("first action read %q", got)
	}
	if len(ar.GetOutputFiles()) != 1 {
		t.Fatalf("first action: outputs %v, stderr %s", ar.GetOutputFiles(), e.read(t, ar.GetStderrDigest()))
	}
	if n := idleSubtrees(t, e); n != 1 {
		t.Fatalf("after one action the cache holds %d subtrees, want 1 (include/)", n)
	}
	check := `ls -A include include/sys; cat include/sys/a.h include/b.h; echo ok > src/y.o`
	ar = e.result(t, e.run(t, e.upload(t, shCommand(check, "src/y.o"), inputs), time.Minute))
	want := "include:\nb.h\nsys\n\ninclude/sys:\na.h\n#define A 1\n#define B 2\n"
	if got := string(e.read(t, ar.GetStdoutDigest())); ar.GetExitCode() != 0 || got != want {
		t.Errorf("second action (exit %d) saw\n%s\nwant\n%s\nstderr %s", ar.GetExitCode(), got, want, e.read(t, ar.GetStderrDigest()))
	}
	if n := idleSubtrees(t, e); n != 1 {
		t.Errorf("after the second action the cache holds %d subtrees, want the one lent back", n)
	}
}

// The working directory, the outputs' directories, their parents and what
// lies under an output directory are never shared: the action may write
// there, as it may without the cache.
func TestDirCacheKeepsWritableDirectoriesOwn(t *testing.T) {
	s := staging{workDir: "/r/src", outputs: []string{"/r/out/obj/x.o"}}
	for p, want := range map[string]bool{
		"/r/src": false, "/r": false, "/r/out": false, "/r/out/obj": false,
		"/r/include": true, "/r/src2": true, "/r/out/obj2": true, "/r/src/sub": true,
		"/r/out/obj/x.o/sub": false, // under an output directory
	} {
		if got := s.shareable(p); got != want {
			t.Errorf("shareable(%s) = %v, want %v", p, got, want)
		}
	}
}

// The cache lends each idle copy once, keeps at most max, and drops the
// least recently returned first.
func TestDirCacheBoundsIdleSubtrees(t *testing.T) {
	base := t.TempDir()
	c, err := newDirCache(filepath.Join(base, "dirs"), 2)
	if err != nil {
		t.Fatal(err)
	}
	key := func(s string) dirKey { return dirKey{fn: digest.SHA256, d: digest.SHA256.FromBytes([]byte(s))} }
	for _, name := range []string{"a", "b", "c"} {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Join(p, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		c.put(lentDir{key: key(name), path: p, place: name, id: idOf(t, p)})
	}
	none := func(*lentDir) int { return 0 }
	if c.take(key("a"), "a", filepath.Join(base, "a2"), none) != nil {
		t.Error("the oldest subtree was lent after the bound dropped it")
	}
	if c.take(key("c"), "c", filepath.Join(base, "c2"), none) == nil {
		t.Fatal("a kept subtree was not lent")
	}
	if _, err := os.Stat(filepath.Join(base, "c2", "sub")); err != nil {
		t.Errorf("lent subtree not whole: %v", err)
	}
	if c.take(key("c"), "c", filepath.Join(base, "c3"), none) != nil {
		t.Error("one idle copy was lent twice")
	}
	if left, _ := os.ReadDir(filepath.Join(base, "dirs")); len(left) != 1 {
		t.Errorf("%d subtrees left idle, want 1 (b)", len(left))
	}
}

// Without a subtree of the digest asked for, the cache lends one returned
// from the same place, the one a patch would change least of the last few,
// and none returned from elsewhere.
func TestDirCacheLendsTheNearestFromThePlace(t *testing.T) {
	base := t.TempDir()
	c, err := newDirCache(filepath.Join(base, "dirs"), 10)
	if err != nil {
		t.Fatal(err)
	}
	key := func(s string) dirKey { return dirKey{fn: digest.SHA256, d: digest.SHA256.FromBytes([]byte(s))} }
	cost := map[string]int{}
	for i, name := range []string{"far", "near", "farther"} {
		p := filepath.Join(base, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		cost[name] = []int{5, 1, 9}[i]
		c.put(lentDir{key: key(name), path: p, place: "include", id: idOf(t, p)})
	}
	byCost := func(d *lentDir) int {
		for name, n := range cost {
			if d.key == key(name) {
				return n
			}
		}
		return 100
	}
	if d := c.take(key("new"), "src", filepath.Join(base, "x"), byCost); d != nil {
		t.Errorf("lent %v for another place", d.key)
	}
	d := c.take(key("new"), "include", filepath.Join(base, "y"), byCost)
	if d == nil || d.key != key("near") || d.path != filepath.Join(base, "y") {
		t.Fatalf("lent %+v, want the subtree of least cost moved to y", d)
	}
	if _, err := os.Stat(filepath.Join(base, "y")); err != nil {
		t.Error(err)
	}
}

// A subtree lent again for another Directory from the same place is
// patched, not laid out anew, and what the action before tried to do to it
// left no trace: the next action sees exactly its own inputs.
func TestDirCachePatchedSubtreeHoldsOnlyTheNewInputs(t *testing.T) {
	requireSandbox(t, JailOptions{})
	e := newEnv(t, Options{})
	first := []client.Input{
		{Path: "include/sys/a.h", Data: []byte("#define A 1\n")},
		{Path: "include/b.h", Data: []byte("#define B 2\n")},
		{Path: "src/x.c", Data: []byte("int x;\n")},
	}
	vandal := `echo evil > include/sys/new.h; echo evil > include/b.h; rm -f include/b.h include/sys/a.h;
		chmod 777 include include/sys/a.h; touch include/sys/a.h; echo done > src/x.o`
	ar := e.result(t, e.run(t, e.upload(t, shCommand(vandal, "src/x.o"), first), time.Minute))
	if len(ar.GetOutputFiles()) != 1 {
		t.Fatalf("first action: outputs %v, stderr %s", ar.GetOutputFiles(), e.read(t, ar.GetStderrDigest()))
	}
	second := []client.Input{
		{Path: "include/sys/a.h", Data: []byte("#define A 1\n")},
		{Path: "include/b.h", Data: []byte("#define B 3\n")},
		{Path: "include/c.h", Data: []byte("#define C 4\n")},
		{Path: "src/x.c", Data: []byte("int x;\n")},
	}
	check := `ls -A include include/sys; cat include/sys/a.h include/b.h include/c.h; echo ok > src/y.o`
	ar = e.result(t, e.run(t, e.upload(t, shCommand(check, "src/y.o"), second), time.Minute))
	want := "include:\nb.h\nc.h\nsys\n\ninclude/sys:\na.h\n#define A 1\n#define B 3\n#define C 4\n"
	if got := string(e.read(t, ar.GetStdoutDigest())); ar.GetExitCode() != 0 || got != want {
		t.Errorf("second action (exit %d) saw\n%s\nwant\n%s\nstderr %s", ar.GetExitCode(), got, want, e.read(t, ar.GetStderrDigest()))
	}
	if n := idleSubtrees(t, e); n != 1 {
		t.Errorf("after two actions the cache holds %d subtrees, want the one include/ patched and lent back", n)
	}
}

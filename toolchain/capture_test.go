package toolchain

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/digest"
)

var stdEnv = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}

// installed returns the compilers of names found here; the first must be.
func installed(t *testing.T, names ...string) []string {
	var found []string
	for i, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if i == 0 {
				t.Fatal(err)
			}
			continue
		}
		found = append(found, n)
	}
	return found
}

func capture(t *testing.T, state, cc string, env []string) (*Toolchain, *Tree) {
	t.Helper()
	tc, err := Load(context.Background(), state, cc, "/", env)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := Capture(context.Background(), state, tc, digest.SHA256, env)
	if err != nil {
		t.Fatalf("%s: %v", cc, err)
	}
	return tc, tree
}

// resolveIn walks p as the kernel would and reports whether every
// symlink on the way and the file it ends at are in the tree.
func resolveIn(tree *Tree, p string) (string, bool) {
	c := newCollector()
	real, err := c.walk("/", strings.Split(p, "/"), 0)
	if err != nil {
		return err.Error(), false
	}
	for l, target := range c.links {
		if tree.Links[l] != target {
			return "link " + l, false
		}
	}
	for _, f := range tree.Files {
		if f.Path == real {
			return real, true
		}
	}
	return real, false
}

// TestCaptureRealCompilers: the tree holds the driver by the name it was
// run as, the programs it runs for -c, their loader and libraries, and the
// files clang needs to find its GCC installation and distribution; a second
// capture comes from the state directory with the same root.
func TestCaptureRealCompilers(t *testing.T) {
	names := []string{"g++", "gcc", "x86_64-linux-gnu-g++-12", "clang++", "clang"}
	if testing.Short() {
		names = names[:1] // each capture hashes 80 to 240 MB
	}
	for _, cc := range installed(t, names...) {
		state := t.TempDir()
		tc, tree := capture(t, state, cc, stdEnv)
		want := []string{tc.Path, "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/as"}
		switch cc {
		case "g++", "x86_64-linux-gnu-g++-12":
			want = append(want, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", "/lib/x86_64-linux-gnu/libisl.so.23")
		case "clang++", "clang":
			want = append(want, "/usr/lib/gcc/x86_64-linux-gnu/12/crtbegin.o", "/etc/os-release")
		}
		for _, p := range want {
			if real, ok := resolveIn(tree, p); !ok {
				t.Errorf("%s: %s (%s) is not in the tree", cc, p, real)
			}
		}
		if tree.Size() < 10<<20 {
			t.Errorf("%s: tree of %d bytes: too small to hold a compiler", cc, tree.Size())
		}
		_, again := capture(t, state, cc, stdEnv)
		if again.Root != tree.Root {
			t.Errorf("%s: the cached capture differs: %s, then %s", cc, tree.Root, again.Root)
		}
	}
}

// TestCapturedTreeNamesTheCompiler: a different compiler binary, or a file
// the capture relied on being absent appearing, captures a new tree.
func TestCapturedTreeNamesTheCompiler(t *testing.T) {
	// A copy of gcc with its installation linked beside it, where a
	// relocated driver looks for cc1.
	prefix := t.TempDir()
	bin := filepath.Join(prefix, "usr", "bin")
	os.MkdirAll(bin, 0o755)
	os.MkdirAll(filepath.Join(prefix, "usr", "lib"), 0o755)
	if err := os.Symlink("/usr/lib/gcc", filepath.Join(prefix, "usr", "lib", "gcc")); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "/usr/bin/x86_64-linux-gnu-gcc-12", filepath.Join(bin, "gcc"))
	env := []string{"PATH=" + bin + ":/usr/bin:/bin"}
	state := t.TempDir()
	_, first := capture(t, state, "gcc", env)
	f, err := os.OpenFile(filepath.Join(bin, "gcc"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0})
	f.Close()
	_, changed := capture(t, state, "gcc", env)
	if changed.Root == first.Root {
		t.Fatal("a changed compiler binary kept the tree's digest")
	}
	files, _ := filepath.Glob(filepath.Join(state, "toolchains", "*.tree"))
	if len(files) != 1 {
		t.Fatalf("tree cache files: %v", files)
	}
	fn := digest.SHA256
	if loadTree(files[0], fn) == nil {
		t.Fatal("the saved tree is not used while nothing changed")
	}
	changed.Absent = append(changed.Absent, bin)
	saveJSON(files[0], changed)
	if loadTree(files[0], fn) != nil {
		t.Error("a saved tree whose absent file exists was used")
	}
	if loadTree(files[0], digest.BLAKE3) != nil {
		t.Error("a tree saved under SHA-256 was used for BLAKE3")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

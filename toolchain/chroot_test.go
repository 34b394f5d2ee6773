package toolchain

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const helloCpp = "#include <iostream>\n#include <vector>\nint main() { std::vector<int> v{1}; std::cout << v[0]; }\n"

// TestCapturedCompilerRunsAlone: a root holding only the captured tree and
// the headers the compile reads compiles hello.cpp into the very object the
// compiler makes here, with gcc and clang, with and without -g.
func TestCapturedCompilerRunsAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("copies a compiler")
	}
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	for _, cc := range installed(t, "g++", "clang++") {
		_, tree := capture(t, "", cc, stdEnv)
		root := t.TempDir()
		materialize(t, tree, root)
		local := filepath.Join(t.TempDir(), "src")
		for _, dir := range []string{local, filepath.Join(root, "src"), filepath.Join(root, "tmp")} {
			os.MkdirAll(dir, 0o777)
			os.WriteFile(filepath.Join(dir, "hello.cpp"), []byte(helloCpp), 0o644)
		}
		for _, h := range headers(t, cc, local) {
			linkOrCopy(t, h, root+h)
		}
		for _, g := range []string{"-g0", "-g"} {
			args := []string{"-c", g, "-fdebug-prefix-map=" + local + "=/src", "hello.cpp", "-o", "hello.o"}
			run(t, exec.Command(cc, args...), local, "")
			run(t, exec.Command("/usr/bin/"+cc, args...), "/src", root)
			want, _ := os.ReadFile(filepath.Join(local, "hello.o"))
			got, _ := os.ReadFile(filepath.Join(root, "src", "hello.o"))
			if len(want) == 0 || !bytes.Equal(want, got) {
				t.Errorf("%s %s: the object compiled in the captured root differs (%d and %d bytes)", cc, g, len(want), len(got))
			}
		}
	}
}

// run runs cmd in dir, chrooted into root when root is set, with nothing
// of the caller's environment but PATH.
func run(t *testing.T, cmd *exec.Cmd, dir, root string) {
	t.Helper()
	cmd.Dir, cmd.Env = dir, stdEnv
	if root != "" {
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s (root %q): %v\n%s", cmd, root, err, out)
	}
}

// headers lists the files cc -M says hello.cpp reads, but itself.
func headers(t *testing.T, cc, dir string) []string {
	cmd := exec.Command(cc, "-M", "hello.cpp")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var hs []string
	for _, f := range strings.Fields(strings.ReplaceAll(string(out), "\\\n", " "))[1:] {
		if filepath.IsAbs(f) {
			hs = append(hs, filepath.Clean(f))
		}
	}
	return hs
}

// materialize lays the tree out under root as a worker stages it.
func materialize(t *testing.T, tree *Tree, root string) {
	for _, f := range tree.Files {
		linkOrCopy(t, f.Path, root+f.Path)
	}
	for p, target := range tree.Links {
		os.MkdirAll(filepath.Dir(root+p), 0o755)
		if err := os.Symlink(target, root+p); err != nil {
			t.Fatal(err)
		}
	}
}

func linkOrCopy(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(to); err == nil {
		return
	}
	if os.Link(from, to) == nil {
		return
	}
	st, err := os.Stat(from)
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, from, to)
	os.Chmod(to, st.Mode().Perm())
}

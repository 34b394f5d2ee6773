package hermetic

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestHermeticToolchainChangeIsNewKey: the same compile with a compiler
// binary that differs by one byte, or after a system header it reads
// changed, is not served the earlier result: it runs again, into the
// object the local compiler makes.
func TestHermeticToolchainChangeIsNewKey(t *testing.T) {
	sys := start(t)
	m := sys.machine(t)
	proj := filepath.Join(t.TempDir(), "p")
	os.MkdirAll(filepath.Join(proj, ".git"), 0o755)
	// A system header: /usr/local/include is one of gcc's built-in
	// include directories, so the header belongs to the toolchain.
	header := fmt.Sprintf("/usr/local/include/rex-hermetic-test-%d.h", os.Getpid())
	t.Cleanup(func() { os.Remove(header) })
	write(t, header, "#define VALUE 1\n")
	write(t, filepath.Join(proj, "v.c"), fmt.Sprintf("#include <%s>\nint value(void) { return VALUE; }\n", filepath.Base(header)))

	// A copy of gcc that differs by a trailing byte, with its installation
	// linked beside it where the relocated driver looks.
	// Not under /tmp: a hermetic worker mounts its own /tmp over the root's.
	prefix, err := os.MkdirTemp("/var/tmp", "rex-hermetic-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(prefix) })
	os.MkdirAll(filepath.Join(prefix, "usr/bin"), 0o755)
	os.MkdirAll(filepath.Join(prefix, "usr/lib"), 0o755)
	if err := os.Symlink("/usr/lib/gcc", filepath.Join(prefix, "usr/lib/gcc")); err != nil {
		t.Fatal(err)
	}
	gcc, rerr := os.ReadFile("/usr/bin/x86_64-linux-gnu-gcc-12")
	if rerr != nil {
		t.Fatal(rerr)
	}
	other := filepath.Join(prefix, "usr/bin/gcc")
	if err := os.WriteFile(other, append(gcc, 0), 0o755); err != nil {
		t.Fatal(err)
	}

	step := func(name, cc string, want counters) {
		t.Helper()
		m.compile(t, proj, cc, "-c", "v.c", "-o", "rex.o")
		local(t, proj, cc, "-c", "v.c", "-o", "local.o")
		if s := m.stats(t); s != want {
			t.Errorf("%s: want %+v, got %+v", name, want, s)
		}
		if !sameFile(t, filepath.Join(proj, "local.o"), filepath.Join(proj, "rex.o")) {
			t.Errorf("%s: the object differs from the local compile's", name)
		}
	}
	step("first compile", "gcc", counters{Remote: 1})
	step("again", "gcc", counters{Hits: 1})
	step("another gcc binary", other, counters{Remote: 1})
	write(t, header, "#define VALUE 2\n")
	step("a changed system header", "gcc", counters{Remote: 1})
}

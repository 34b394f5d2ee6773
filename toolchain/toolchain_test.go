package toolchain

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestResolveFirstInPath: a bare name is the first executable in the
// user's PATH, a name with a slash is taken relative to the cwd.
func TestResolveFirstInPath(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		os.WriteFile(filepath.Join(d, "gcc"), []byte("#!/bin/sh\n"), 0o755)
	}
	os.WriteFile(filepath.Join(a, "plain"), nil, 0o644)
	env := []string{"PATH=/nonexistent:" + a + ":" + b}
	if p, err := Resolve("gcc", "/", env); err != nil || p != filepath.Join(a, "gcc") {
		t.Errorf("Resolve(gcc) = %q, %v; want the first in PATH", p, err)
	}
	if _, err := Resolve("plain", "/", env); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("a file that is not executable resolved: %v", err)
	}
	if p, err := Resolve("./gcc", b, nil); err != nil || p != filepath.Join(b, "gcc") {
		t.Errorf("Resolve(./gcc) = %q, %v", p, err)
	}
}

// TestWrapperScriptIsNotACompiler: a gcc earlier in PATH that is a script
// is refused, so the compile runs locally through it.
func TestWrapperScriptIsNotACompiler(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gcc"), []byte("#!/bin/sh\nexec /usr/bin/gcc -DWRAPPED \"$@\"\n"), 0o755)
	_, err := Load(context.Background(), t.TempDir(), "gcc", "/", []string{"PATH=" + dir + ":/usr/bin"})
	if !errors.Is(err, ErrNotCompiler) {
		t.Errorf("Load of a wrapper script: %v, want ErrNotCompiler", err)
	}
}

// TestLoadRealCompilers: the identity names the programs a compile runs,
// the toolchain holds the built-in include directories, and a second Load
// comes from the state directory with the same answer.
func TestLoadRealCompilers(t *testing.T) {
	for _, cc := range []string{"g++", "clang++"} {
		if _, err := exec.LookPath(cc); err != nil {
			if cc == "g++" {
				t.Fatal(err)
			}
			continue
		}
		state := t.TempDir()
		env := []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
		tc, err := Load(context.Background(), state, cc, "/", env)
		if err != nil {
			t.Fatal(err)
		}
		if !tc.Contains("/usr/include/stdio.h") || tc.Contains("/usr/src/x.h") || tc.Contains("/opt/x/include/a.h") {
			t.Errorf("%s: toolchain dirs %q", cc, tc.Dirs)
		}
		for _, want := range []string{"driver ", "as /usr/bin/as "} {
			if !strings.Contains(tc.Identity, want) {
				t.Errorf("%s: identity lacks %q:\n%s", cc, want, tc.Identity)
			}
		}
		if cc == "g++" && !strings.Contains(tc.Identity, "cc1plus ") {
			t.Errorf("g++ identity lacks cc1plus:\n%s", tc.Identity)
		}
		if tc.Clang() != (cc == "clang++") {
			t.Errorf("%s: Clang() = %v", cc, tc.Clang())
		}
		if cc == "g++" && !tc.AsDeps {
			t.Errorf("g++: AsDeps is false with GNU as")
		}
		again, err := Load(context.Background(), state, cc, "/", env)
		if err != nil || again.Identity != tc.Identity || again.SearchPath != tc.SearchPath {
			t.Errorf("%s: cached load differs: %v", cc, err)
		}
	}
}

// TestSpecsFileAppearing: gcc reads a specs file in its installation
// directory when there is one, so one appearing must probe again.
// TestProgramsShadowedOrRepointed: an assembler that appears earlier in
// PATH, or a symlink to the assembler pointed elsewhere, is another
// toolchain: the cached one must not serve.
func TestProgramsShadowedOrRepointed(t *testing.T) {
	as, err := exec.LookPath("as")
	if err != nil {
		t.Skip("no as")
	}
	early, linked := t.TempDir(), t.TempDir()
	if err := os.Symlink(as, filepath.Join(linked, "as")); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + early + ":" + linked + ":/usr/local/bin:/usr/bin:/bin"}
	state := t.TempDir()
	first, err := Load(context.Background(), state, "gcc", "/", env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.Identity, "as "+filepath.Join(linked, "as")+" ") {
		t.Fatalf("the assembler is not the linked one:\n%s", first.Identity)
	}
	other := filepath.Join(t.TempDir(), "as")
	data, _ := os.ReadFile(as)
	if err := os.WriteFile(other, append(data, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(){
		func() { os.Remove(filepath.Join(linked, "as")); os.Symlink(other, filepath.Join(linked, "as")) },
		func() { os.Symlink(other, filepath.Join(early, "as")) },
	} {
		change()
		again, err := Load(context.Background(), state, "gcc", "/", env)
		if err != nil {
			t.Fatal(err)
		}
		if again.Identity == first.Identity {
			t.Fatalf("the toolchain is the same after its assembler changed:\n%s", again.Identity)
		}
		first = again
	}
}

// TestClangConfigBesideTheDriver: clang reads x86_64-clang.cfg beside a
// driver called x86_64-clang; one that appears or changes is another
// toolchain.
func TestClangConfigBesideTheDriver(t *testing.T) {
	clang, err := exec.LookPath("clang")
	if err != nil {
		t.Skip("clang is not installed")
	}
	bin := t.TempDir()
	driver := filepath.Join(bin, "x86_64-clang")
	if err := os.Symlink(clang, driver); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	state := t.TempDir()
	ids := map[string]bool{}
	for _, cfg := range []string{"", "-DV=1\n", "-DV=2\n"} {
		if cfg != "" {
			if err := os.WriteFile(filepath.Join(bin, "x86_64-clang.cfg"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tc, err := Load(context.Background(), state, driver, "/", env)
		if err != nil {
			t.Fatal(err)
		}
		if ids[tc.Identity] {
			t.Errorf("with config %q: the toolchain of an earlier config", cfg)
		}
		ids[tc.Identity] = true
	}
}

// TestClangCalledGCC: a "gcc" that runs clang (as on macOS) is clang.
func TestClangCalledGCC(t *testing.T) {
	clang, err := exec.LookPath("clang")
	if err != nil {
		t.Skip("clang is not installed")
	}
	bin := t.TempDir()
	if err := os.Symlink(clang, filepath.Join(bin, "gcc")); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + bin + ":/usr/local/bin:/usr/bin:/bin"}
	tc, err := Load(context.Background(), t.TempDir(), "gcc", "/", env)
	if err != nil {
		t.Fatal(err)
	}
	if !tc.Clang() {
		t.Errorf("a gcc that is clang: Clang() = false; identity:\n%s", tc.Identity)
	}
}

func TestSpecsFileAppearing(t *testing.T) {
	state := t.TempDir()
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	tc, err := Load(context.Background(), state, "gcc", "/", env)
	if err != nil {
		t.Fatal(err)
	}
	specs := ""
	for p, key := range tc.Programs {
		if key == absent && filepath.Base(p) == "specs" {
			specs = p
		}
	}
	if specs == "" {
		t.Fatalf("no absent specs file recorded: %v", tc.Programs)
	}
	file := filepath.Join(state, "toolchains")
	entries, _ := os.ReadDir(file)
	if len(entries) != 1 || strings.HasSuffix(entries[0].Name(), ".tree") {
		t.Fatalf("cache entries: %v", entries)
	}
	cached := filepath.Join(file, entries[0].Name())
	if loadCached(cached, tc.Path) == nil {
		t.Fatal("the cached toolchain is not used while nothing changed")
	}
	// Simulate the specs file appearing by recording another absent path
	// that exists: the entry must then be refused.
	tc.Programs[t.TempDir()] = absent
	saveJSON(cached, tc)
	if loadCached(cached, tc.Path) != nil {
		t.Error("a cached toolchain whose absent file exists was used")
	}
}

package lookups

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	records := "co+rsrc.c\x00co-rinc/a.h\x00co+wout.d\x00cd+r./inc\x00cs+rlib/b.h\x00cs-rlib/c.h\x00c?+rx.h\x00co-wnew.o\x00"
	l, err := Parse([]byte(records), "/p", "/p/src.c")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"src.c", "lib/b.h"}; !slices.Equal(l.Found, want) {
		t.Errorf("Found = %q, want %q", l.Found, want)
	}
	if want := []string{"inc/a.h", "lib/c.h"}; !slices.Equal(l.Missing, want) {
		t.Errorf("Missing = %q, want %q (writes and directories left out)", l.Missing, want)
	}
	if l.Unresolved != 1 || !l.Observed {
		t.Errorf("Unresolved = %d, Observed = %v; want 1, true", l.Unresolved, l.Observed)
	}
	l.Without("/p", []string{"./lib/b.h", "/p/inc/a.h"}, nil)
	if !slices.Equal(l.Found, []string{"src.c"}) || !slices.Equal(l.Missing, []string{"lib/c.h"}) {
		t.Errorf("Without left Found %q, Missing %q", l.Found, l.Missing)
	}
	for _, bad := range []string{"co+", "co+rno end", "\x00", "xo+rsrc.c\x00"} {
		if _, err := Parse([]byte(bad), "/p", "/p/src.c"); err == nil {
			t.Errorf("Parse(%q) took a malformed record", bad)
		}
	}
}

// In clang's driver, the lookups count from the opening of the source
// on; a preprocessor of its own (clang -cc1 under -fno-integrated-cc1)
// counts whole, whatever its driver wrote around it.
func TestParseDriverLog(t *testing.T) {
	records := "do+r/etc/os-release\x00ds+rsrc.c\x00ds-r/usr/local/cuda\x00do+rsrc.c\x00do+rx.h\x00ds-ry.h\x00ds+r./o.o\x00do+w./o.o\x00"
	l, err := Parse([]byte(records), "/p", "/p/src.c")
	if err != nil {
		t.Fatal(err)
	}
	// The driver's own lookups count only where they found nothing; the
	// object, written, is no file found.
	if want := []string{"src.c", "x.h"}; !slices.Equal(l.Found, want) || !slices.Equal(l.Missing, []string{"/usr/local/cuda", "y.h"}) || !l.Observed {
		t.Errorf("Found %q, Missing %q, Observed %v; want %q, [/usr/local/cuda y.h], true", l.Found, l.Missing, l.Observed, want)
	}
	l, err = Parse([]byte("do+r/etc/os-release\x00ds+rsrc.c\x00"), "/p", "/p/src.c")
	if err != nil || l.Observed || len(l.Found) > 0 {
		t.Errorf("a driver's log without the source opened: %+v, %v; want unobserved", l, err)
	}
	l, err = Parse([]byte("do+r/etc/os-release\x00co+rsrc.c\x00co+rx.h\x00do+r/etc/debian_version\x00"), "/p", "/p/src.c")
	if want := []string{"src.c", "x.h"}; err != nil || !l.Observed || !slices.Equal(l.Found, want) {
		t.Errorf("a driver around a preprocessor of its own: %+v, %v; want Found %q", l, err, want)
	}
}

func TestParseAccessToADirectory(t *testing.T) {
	dir := t.TempDir()
	l, err := Parse([]byte("ca+r"+dir+"\x00"), "/p", "/p/src.c")
	if err != nil || len(l.Found) != 0 {
		t.Errorf("an access to a directory counted as a file found: %q, %v", l.Found, err)
	}
}

func gcc(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed")
	}
	return p
}

// The library sees a lookup that no reading of the text shows: a
// __has_include pasted from a macro's parameters; in clang's driver too.
func TestAttachTellsAPastedProbe(t *testing.T) {
	for _, c := range []struct{ name, flag string }{{"gcc", ""}, {"clang", ""}, {"clang", "-fno-integrated-cc1"}} {
		t.Run(c.name+c.flag, func(t *testing.T) {
			driver, err := exec.LookPath(c.name)
			if err != nil {
				t.Skipf("%s is not installed", c.name)
			}
			tellsAPastedProbe(t, driver, c.flag)
		})
	}
}

func tellsAPastedProbe(t *testing.T, driver, flag string) {
	state, src := t.TempDir(), t.TempDir()
	lib := Prepare(context.Background(), state, driver, "test", os.Environ())
	if lib == nil {
		t.Fatalf("no library for %s", driver)
	}
	os.WriteFile(filepath.Join(src, "c.c"), []byte("#define CAT(a, b) a##b\n#if CAT(__has_, include)(\"x.h\")\nint v;\n#endif\n"), 0o644)
	lookup := func() Log {
		cmd := exec.Command(driver, "-E", "c.c", "-MD", "-MF", "c.d")
		if flag != "" {
			cmd.Args = append(cmd.Args, flag)
		}
		cmd.Dir, cmd.Env = src, os.Environ()
		finish, err := lib.Attach(cmd, "c.c")
		if err != nil {
			t.Fatal(err)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		l, err := finish()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := lookup()
	if !l.Observed || !slices.Contains(l.Found, "c.c") || !containsSuffix(l.Missing, "/x.h") {
		t.Fatalf("absent x.h: Found %q, Missing %q; want c.c found and x.h missing", l.Found, l.Missing)
	}
	os.WriteFile(filepath.Join(src, "x.h"), nil, 0o644)
	if l := lookup(); !containsSuffix(l.Found, "/x.h") {
		t.Fatalf("present x.h: Found %q, want x.h", l.Found)
	}
}

func containsSuffix(paths []string, suffix string) bool {
	return slices.ContainsFunc(paths, func(p string) bool { return strings.HasSuffix("/"+p, suffix) })
}

// A library is built once per toolchain; a toolchain that cannot build
// one is tried once.
func TestPrepareBuildsOnceAndRemembersFailure(t *testing.T) {
	driver := gcc(t)
	state := t.TempDir()
	a := Prepare(context.Background(), state, driver, "one", os.Environ())
	b := Prepare(context.Background(), state, driver, "one", os.Environ())
	if a == nil || b == nil || a.path != b.path {
		t.Fatalf("Prepare twice: %v, %v; want one library", a, b)
	}
	if c := Prepare(context.Background(), state, driver, "two", os.Environ()); c == nil || c.path == a.path {
		t.Errorf("another toolchain shares the library: %v", c)
	}
	os.Chmod(a.path, 0o777)
	if lib := Prepare(context.Background(), state, driver, "one", os.Environ()); lib == nil {
		t.Error("a library anyone may write was not built again")
	} else if st, err := os.Stat(lib.path); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("a library anyone may write was preloaded: %v, %v", st.Mode(), err)
	}

	count := filepath.Join(t.TempDir(), "count")
	fake := filepath.Join(t.TempDir(), "cc")
	os.WriteFile(fake, []byte("#!/bin/sh\necho run >> "+count+"\nexit 1\n"), 0o755)
	for range 3 {
		if lib := Prepare(context.Background(), state, fake, "fake", os.Environ()); lib != nil {
			t.Fatal("a driver that fails gave a library")
		}
	}
	if runs, _ := os.ReadFile(count); strings.Count(string(runs), "run") != 1 {
		t.Errorf("the failing driver ran %d times, want once", strings.Count(string(runs), "run"))
	}
}

// The loader takes the library by descriptor: a state directory that
// LD_PRELOAD could not name serves; so does one under a umask that lets
// the group write.
func TestPrepareOddStateDirectories(t *testing.T) {
	driver := gcc(t)
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	for _, name := range []string{"a dir", "a:dir"} {
		state := filepath.Join(t.TempDir(), name)
		for i := range 2 {
			if lib := Prepare(context.Background(), state, driver, "one", os.Environ()); lib == nil {
				t.Errorf("%q, use %d: no library", name, i+1)
			}
		}
	}
}

// A directory named like a header in an earlier search directory is no
// file found: the preprocessor opens it, sees a directory, and searches on;
// it is a directory met (Dirs), whose kind a record states.
func TestDirectoryNamedLikeAHeader(t *testing.T) {
	driver := gcc(t)
	lib := Prepare(context.Background(), t.TempDir(), driver, "test", os.Environ())
	if lib == nil {
		t.Fatal("no library for gcc")
	}
	src := t.TempDir()
	os.Mkdir(filepath.Join(src, "stdio.h"), 0o755)
	os.WriteFile(filepath.Join(src, "c.c"), []byte("#include <stdio.h>\n"), 0o644)
	cmd := exec.Command(driver, "-I.", "-E", "c.c")
	cmd.Dir, cmd.Env = src, os.Environ()
	finish, err := lib.Attach(cmd, "c.c")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out[:min(len(out), 500)])
	}
	l, err := finish()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(l.Found, "./stdio.h") || !slices.Contains(l.Found, "/usr/include/stdio.h") {
		t.Errorf("Found %q: want /usr/include/stdio.h and not the directory ./stdio.h", l.Found)
	}
	if !slices.Contains(l.Dirs, "./stdio.h") {
		t.Errorf("Dirs %q: want the directory ./stdio.h, which gcc searched on past", l.Dirs)
	}
}

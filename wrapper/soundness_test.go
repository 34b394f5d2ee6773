package wrapper

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/stats"
)

// TestHasIncludeProbeIsAnInput: a header that a __has_include probes
// appears in an earlier include directory: the object changes locally, and
// rex must not serve the old one.
func TestHasIncludeProbeIsAnInput(t *testing.T) {
	srv := startServerWith(t, 2)
	p := newProject(t, srv.addr)
	p.write("a.c", "#if __has_include(<feat.h>)\n#include <feat.h>\nint v = FEAT;\n#else\nint v = 0;\n#endif\n")
	p.write("late/other.h", "\n")
	argv := []string{"gcc", "-Iearly", "-Ilate", "-c", "a.c", "-o", "x.o"}
	os.MkdirAll(filepath.Join(p.dir, "early"), 0o755)
	p.missHitMiss(t, p.dir, argv, func() { p.write("early/feat.h", "#define FEAT 42\n") })
}

// TestUnlistedReadsRunLocally: .incbin and __TIMESTAMP__ read what no scan
// lists, and a precompiled header beside a header may replace it.
func TestUnlistedReadsRunLocally(t *testing.T) {
	p := newProject(t, "unix:///nonexistent.sock")
	p.write("data.bin", "payload")
	p.write("inc.c", "__asm__(\".incbin \\\"data.bin\\\"\");\n")
	p.write("ts.c", "const char *t = __TIMESTAMP__;\n")
	p.write("h.h", "#define H 1\n")
	p.write("h.h.gch", "not really")
	p.write("pch.c", "#include \"h.h\"\nint h = H;\n")
	for _, src := range []string{"inc.c", "ts.c", "pch.c"} {
		r := p.run("gcc", "-c", src, "-o", "x.o", "-MD")
		if r.Outcome != stats.LocalRun {
			t.Errorf("%s: outcome %v (%v), want a local run", src, r.Outcome, r.Reason)
		}
	}
	// The scan wrote the dep file aside before the reason came up: it
	// must be gone, or make would see a stray file.
	if left, _ := filepath.Glob(filepath.Join(p.dir, ".rex-*")); len(left) > 0 {
		t.Errorf("planning left %q behind", left)
	}
}

// TestClockRunsLocally: __DATE__ and __TIME__ give the time of the
// compile, which no key covers, unless SOURCE_DATE_EPOCH fixes it (for
// gcc; clang 14 does not read it).
func TestClockRunsLocally(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("clock.h", "#define BUILT __DATE__ \" \" __TIME__\n")
	p.write("d.c", "#include \"clock.h\"\nconst char *built = BUILT;\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A gcc that is clang, as on macOS.
	fake := filepath.Join(t.TempDir(), "bin")
	os.MkdirAll(fake, 0o755)
	if clang, err := exec.LookPath("clang"); err == nil {
		os.Symlink(clang, filepath.Join(fake, "gcc"))
	}
	for _, c := range []struct {
		argv []string
		env  []string
		want stats.Outcome
	}{
		{[]string{"gcc", "-c", "d.c", "-o", "d.o"}, nil, stats.LocalRun},
		{[]string{"gcc", "-c", "d.c", "-o", "d.o"}, []string{"SOURCE_DATE_EPOCH=86400"}, stats.RemoteExecution},
		{[]string{"clang", "-c", "d.c", "-o", "d.o"}, []string{"SOURCE_DATE_EPOCH=86400"}, stats.LocalRun},
		{[]string{filepath.Join(fake, "gcc"), "-c", "d.c", "-o", "d.o"}, []string{"SOURCE_DATE_EPOCH=86400"}, stats.LocalRun},
	} {
		if _, err := exec.LookPath(c.argv[0]); err != nil {
			continue
		}
		env := append(os.Environ(), c.env...)
		r := p.runAt(ctx, Invocation{Argv: c.argv, Env: env})
		if r.Outcome != c.want {
			t.Errorf("%v %s: outcome %v (%v), want %v", c.argv, c.env, r.Outcome, r.Reason, c.want)
		}
	}
}

// TestLibraryPathRunsLocally: a library the compiler loads, in a directory
// of LD_LIBRARY_PATH, is loaded into it; other directories change nothing.
func TestLibraryPathRunsLocally(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("a.c", "int a;\n")
	p.write("shim/libz.so.1", "")
	p.write("hw/glibc-hwcaps/x86-64-v2/libz.so.1", "")
	p.write("other/libunrelated.so.1", "")
	other, shim := filepath.Join(p.dir, "other"), filepath.Join(p.dir, "shim")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, c := range []struct {
		lp   string
		args []string
		want stats.Outcome
	}{
		{other, nil, stats.RemoteExecution},
		{other + ":" + shim, nil, stats.LocalRun},
		{"shim", nil, stats.LocalRun},
		{other + ";" + shim, nil, stats.LocalRun},
		{filepath.Join(p.dir, "hw"), nil, stats.LocalRun},
		{other + "/$LIB", nil, stats.LocalRun},
		{other, []string{"-fexec-charset=ISO-8859-1"}, stats.LocalRun},
		// The system's own directory holds the very files the loader
		// takes anyway.
		{"/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu", nil, stats.RemoteExecution},
	} {
		os.Remove(filepath.Join(p.dir, "a.o"))
		env := append(os.Environ(), "LD_LIBRARY_PATH="+c.lp)
		argv := append([]string{"gcc", "-c", "a.c", "-o", "a.o"}, c.args...)
		r := p.runAt(ctx, Invocation{Argv: argv, Env: env})
		if r.Outcome != c.want && !(c.want == stats.RemoteExecution && r.Outcome == stats.CacheHit) {
			t.Errorf("LD_LIBRARY_PATH=%s: outcome %v (%v), want %v", c.lp, r.Outcome, r.Reason, c.want)
		}
	}
}

// TestRelativePathAssembler: gcc runs the "as" a relative PATH entry finds
// from the compile's directory.
func TestRelativePathAssembler(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("a.c", "int a;\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env := append(os.Environ(), "PATH=pbin:"+os.Getenv("PATH"))
	argv := []string{"gcc", "-c", "a.c", "-o", "a.o"}
	if r := p.runAt(ctx, Invocation{Argv: argv, Env: env}); r.Outcome != stats.RemoteExecution {
		t.Fatalf("without pbin/as: %v (%v), want a remote execution", r.Outcome, r.Reason)
	}
	p.write("pbin/as", "#!/bin/sh\nexec /usr/bin/as --defsym shadow=1 \"$@\"\n")
	os.Chmod(filepath.Join(p.dir, "pbin/as"), 0o755)
	if r := p.runAt(ctx, Invocation{Argv: argv, Env: env}); r.Outcome != stats.LocalRun {
		t.Fatalf("with pbin/as: %v (%v), want a local run", r.Outcome, r.Reason)
	}
}

// TestCachedDirectivesKeepProbes: a project header's directives are
// remembered by its content digest once it is old enough. What it probes
// must still be looked for on every compile: a probed header that appears
// changes the object.
func TestCachedDirectivesKeepProbes(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the racy window")
	}
	srv := startServerWith(t, 2)
	p := newProject(t, srv.addr)
	p.write("a.c", "#include \"h.h\"\nint v = FEAT;\n")
	p.write("h.h", "#if __has_include(<feat.h>)\n#define FEAT 42\n#else\n#define FEAT 0\n#endif\n")
	os.MkdirAll(filepath.Join(p.dir, "early"), 0o755)
	argv := []string{"gcc", "-Iearly", "-c", "a.c", "-o", "x.o"}
	time.Sleep(racyWindow + 100*time.Millisecond)
	p.missHitMiss(t, p.dir, argv, func() { p.write("early/feat.h", "\n") })
	if data, _ := os.ReadFile(filepath.Join(p.cfg.StateDir, "directives")); !strings.Contains(string(data), "feat.h") {
		t.Errorf("the header's directives were not remembered: %q", data)
	}
}

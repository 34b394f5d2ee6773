package wrapper

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/manifest"
	"github.com/rexbuild/rex/stats"
)

// A compile seen before (recorded by its first run) is served from its
// record without a scan; a
// header that appears in an earlier include directory makes it scan, and
// the object is the new one.
func TestDirectModeServesFromRecordUntilAHeaderAppears(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.cfg.Direct, p.cfg.LocalCacheSize = true, 1<<30
	p.write("b/h.h", "#define V 1\n")
	p.write("a/.keep", "")
	p.write("x.cpp", "#include <h.h>\nint v = V;\n")
	time.Sleep(manifest.RacyWindow + 100*time.Millisecond)
	argv := []string{"g++", "-Ia", "-Ib", "-c", "x.cpp", "-o", "x.o"}
	for i, want := range []stats.Outcome{stats.RemoteExecution, stats.LocalCacheHit, stats.LocalCacheHit} {
		os.Remove(filepath.Join(p.dir, "x.o"))
		r := p.run(argv...)
		if r.Outcome != want {
			t.Fatalf("compile %d: %v (%v), want %v", i, r.Outcome, r.Reason, want)
		}
		if direct := strings.Contains(r.Phases, "direct"); direct != (i > 0) {
			t.Fatalf("compile %d: direct mode %v (%s)", i, direct, r.Phases)
		}
	}
	p.write("a/h.h", "#define V 2\n")
	os.Remove(filepath.Join(p.dir, "x.o"))
	if r := p.run(argv...); r.Outcome != stats.RemoteExecution || strings.Contains(r.Phases, "direct") {
		t.Fatalf("after the shadowing header: %v (%v), %s", r.Outcome, r.Reason, r.Phases)
	}
	got, _ := os.ReadFile(filepath.Join(p.dir, "x.o"))
	cmd := exec.Command("g++", "-Ia", "-Ib", "-c", "x.cpp", "-o", "local.o")
	cmd.Dir = p.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("local compile: %v\n%s", err, out)
	}
	if want, _ := os.ReadFile(filepath.Join(p.dir, "local.o")); !bytes.Equal(got, want) {
		t.Fatal("the object after the shadowing header is not the local compile's")
	}
}

// With no server, misses compile locally and fill the local cache.
func TestNoServerIsALocalCache(t *testing.T) {
	p := newProject(t, "")
	p.cfg.LocalCacheSize = 1 << 30
	p.write("x.cpp", "int v = 1;\n")
	argv := []string{"g++", "-c", "x.cpp", "-o", "x.o"}
	if r := p.run(argv...); r.Outcome != stats.CacheMiss || r.RunLocal || r.Reason != nil {
		t.Fatalf("first compile: %v (%v), run locally by the caller: %v", r.Outcome, r.Reason, r.RunLocal)
	}
	want, _ := os.ReadFile(filepath.Join(p.dir, "x.o"))
	os.Remove(filepath.Join(p.dir, "x.o"))
	if r := p.run(argv...); r.Outcome != stats.LocalCacheHit {
		t.Fatalf("second compile: %v (%v)", r.Outcome, r.Reason)
	}
	if got, _ := os.ReadFile(filepath.Join(p.dir, "x.o")); !bytes.Equal(got, want) {
		t.Fatal("the local cache's object differs from the compile's")
	}
}

// With the default server not running (nothing configured one), rex is a
// local cache too: no fallback, no warning.
func TestDefaultServerDownIsALocalCache(t *testing.T) {
	p := newProject(t, "unix://"+filepath.Join(t.TempDir(), "nothing.sock"))
	p.cfg.LocalCacheSize, p.cfg.ServerImplicit = 1<<30, true
	p.write("x.cpp", "int v = 1;\n")
	argv := []string{"g++", "-c", "x.cpp", "-o", "x.o"}
	for i, want := range []stats.Outcome{stats.CacheMiss, stats.LocalCacheHit} {
		os.Remove(filepath.Join(p.dir, "x.o"))
		if r := p.run(argv...); r.Outcome != want || r.Reason != nil {
			t.Fatalf("compile %d: %v (%v), want %v", i, r.Outcome, r.Reason, want)
		}
	}
	p.cfg.ServerImplicit = false
	p.write("y.cpp", "int w = 1;\n")
	if r := p.run("g++", "-c", "y.cpp", "-o", "y.o"); r.Outcome != stats.LocalFallback {
		t.Fatalf("a configured server that is down: %v (%v), want a fallback", r.Outcome, r.Reason)
	}
}

// A compile on a terminal asks for coloured diagnostics; the same compile
// with its stderr captured must not replay them from the terminal's record.
func TestDirectModeKeepsTerminalApart(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.cfg.Direct, p.cfg.LocalCacheSize = true, 1<<30
	p.write("w.c", "int f(int x) { if (x) return 1; }\n")
	time.Sleep(manifest.RacyWindow + 100*time.Millisecond)
	argv := []string{"gcc", "-Wall", "-c", "w.c", "-o", "w.o"}
	env := append(os.Environ(), "TERM=xterm")
	run := func(terminal bool) Result {
		return Run(context.Background(), p.cfg, Invocation{Argv: argv, Dir: p.dir, Env: env, StderrIsTerminal: terminal})
	}
	for _, terminal := range []bool{true, true} {
		if r := run(terminal); !bytes.Contains(r.Stderr, []byte("\x1b[")) {
			t.Fatalf("on a terminal: no colour in %q", r.Stderr)
		}
	}
	r := run(false)
	if bytes.Contains(r.Stderr, []byte("\x1b[")) || !bytes.Contains(r.Stderr, []byte("warning")) {
		t.Fatalf("captured stderr: %q (%v), want the warning without colour", r.Stderr, r.Outcome)
	}
}

package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/stats"
)

const unusedSrc = "int f(void) { int unused; return 0; }\n"

// runAt runs inv in p's directory, with ctx, as cmd/rex would.
func (p *project) runAt(ctx context.Context, inv Invocation) Result {
	p.t.Helper()
	inv.Dir = p.dir
	if inv.Env == nil {
		inv.Env = os.Environ()
	}
	return Run(ctx, p.cfg, inv)
}

func TestMissingOutputDirRunsLocally(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	for _, argv := range [][]string{
		{"g++", "-c", "hello.cpp", "-o", "nodir/hello.o"},
		{"g++", "-c", "hello.cpp", "-o", "hello.o", "-MD", "-MF", "deps/hello.d"},
		{"g++", "-c", "hello.cpp", "-o", filepath.Join(p.dir, "abs/hello.o")},
	} {
		r := p.run(argv...)
		if r.Outcome != stats.LocalRun || !r.RunLocal {
			t.Errorf("%q: %v (%v), want a local run", argv, r.Outcome, r.Reason)
		}
	}
	for _, d := range []string{"nodir", "deps", "abs"} {
		if p.exists(d) {
			t.Errorf("%s was created", d)
		}
	}
	// A directory where the object goes, and a directory the user cannot
	// write (root can write anywhere).
	os.Mkdir(filepath.Join(p.dir, "x.o"), 0o755)
	outs := []string{"x.o"}
	if os.Geteuid() != 0 {
		os.Mkdir(filepath.Join(p.dir, "ro"), 0o555)
		outs = append(outs, "ro/hello.o")
	}
	for _, out := range outs {
		if r := p.run("g++", "-c", "hello.cpp", "-o", out); r.Outcome != stats.LocalRun {
			t.Errorf("-o %s: %v (%v), want a local run", out, r.Outcome, r.Reason)
		}
	}
}

// TestInterruptStartsNoLocalCompile: ctx ends (rex got SIGINT) while the
// server executes; Run must report the interruption, not a remote failure
// that cmd/rex would answer with a local compile.
func TestInterruptStartsNoLocalCompile(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.faults.setStream(methodExecute, func(_ any, ss grpc.ServerStream) error {
		cancel() // the signal arrives while the action runs
		<-ss.Context().Done()
		return ss.Context().Err()
	})
	r := p.runAt(ctx, Invocation{Argv: compileHello})
	if !r.Interrupted || r.RunLocal || r.Outcome == stats.LocalFallback {
		t.Fatalf("Interrupted %v, RunLocal %v, outcome %v (%v): want an interruption and no local compile",
			r.Interrupted, r.RunLocal, r.Outcome, r.Reason)
	}
	if !errors.Is(r.Reason, context.Canceled) {
		t.Errorf("reason %v, want context.Canceled", r.Reason)
	}
	if p.exists("hello.o") {
		t.Error("an object was written")
	}
}

// TestUnreachableIsPerServer: a down server A is remembered, but a build
// against server B, or another instance, still tries its server.
func TestUnreachableIsPerServer(t *testing.T) {
	p := newProject(t, "unix://"+filepath.Join(t.TempDir(), "nobody.sock"))
	p.write("hello.cpp", helloSrc)
	if r := p.run(compileHello...); r.Outcome != stats.LocalFallback {
		t.Fatalf("server A: %v, want a fallback", r.Outcome)
	}
	if r := p.run(compileHello...); !errors.Is(r.Reason, errRecentlyUnreachable) {
		t.Fatalf("server A again: %v, want it skipped", r.Reason)
	}
	down := p.cfg
	p.cfg.Client.Instance = "other"
	if r := p.run(compileHello...); errors.Is(r.Reason, errRecentlyUnreachable) {
		t.Errorf("another instance was skipped because A was down")
	}
	srv := startServer(t)
	p.cfg = down
	p.cfg.Client.Server = srv.addr
	p.fill(compileHello...) // fails unless B is tried
}

func TestAskColorDecision(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		argv     string
		terminal bool
		term     string
		want     string // the option added to the argv, "" for none
	}{
		{"gcc -c a.c", true, "xterm", "-fdiagnostics-color=always"},
		{"clang -c a.c", true, "xterm-256color", "-fcolor-diagnostics"},
		{"gcc -c a.c", false, "xterm", ""},
		{"gcc -c a.c", true, "dumb", ""},
		{"gcc -c a.c", true, "", ""},
		{"gcc -c a.c -fdiagnostics-color=never", true, "xterm", ""},
		{"clang -c a.c -fno-color-diagnostics", true, "xterm", ""},
	} {
		argv := strings.Fields(tt.argv)
		p, err := compiler.Parse(argv, dir)
		if err != nil || !p.Remotable {
			t.Fatalf("Parse(%q): %v %s", tt.argv, err, p.Reason)
		}
		inv := Invocation{Argv: argv, StderrIsTerminal: tt.terminal, Env: []string{"TERM=" + tt.term}}
		got := askColor(inv, p)
		remote := p.RemoteArgs(func(s string) string { return s })
		added := ""
		if len(got.Argv) > len(argv) {
			added = got.Argv[len(argv)]
		}
		if added != tt.want || (tt.want != "" && remote[len(remote)-1] != tt.want) {
			t.Errorf("%q terminal=%v TERM=%q: argv adds %q, remote %q; want %q", tt.argv, tt.terminal, tt.term, added, remote, tt.want)
		}
	}
}

// TestColorOnTerminal: with stderr on a terminal, diagnostics come back
// coloured from a remote execution and from a cache-only local compile
// (whose stderr rex captures), and plain otherwise.
func TestColorOnTerminal(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("w.c", unusedSrc)
	argv := []string{"gcc", "-Wall", "-c", "w.c", "-o", "w.o"}
	env := append(os.Environ(), "TERM=xterm")
	for i, outcome := range []stats.Outcome{stats.RemoteExecution, stats.CacheMiss} {
		cacheOnly := outcome == stats.CacheMiss
		p.cfg.CacheOnly = cacheOnly
		for j, terminal := range []bool{true, false} {
			// A fresh key each time: no hit hides the path under test.
			p.write("w.c", fmt.Sprintf("%s// %d %d\n", unusedSrc, i, j))
			r := p.runAt(context.Background(), Invocation{Argv: argv, Env: env, StderrIsTerminal: terminal})
			if r.ExitCode != 0 || r.Outcome != outcome {
				t.Fatalf("cache-only %v: %v %v exit %d", cacheOnly, r.Outcome, r.Reason, r.ExitCode)
			}
			colored := bytes.Contains(r.Stderr, []byte("\x1b["))
			if !bytes.Contains(r.Stderr, []byte("unused")) || colored != terminal {
				t.Errorf("cache-only %v, terminal %v (%v): stderr %q", cacheOnly, terminal, r.Outcome, r.Stderr)
			}
		}
	}
}

// TestGCCColorsForwarded: GCC_COLORS reaches the remote compiler, and is in
// the key (the second run, with other colours, is no cache hit).
func TestGCCColorsForwarded(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("w.c", unusedSrc)
	argv := []string{"gcc", "-Wall", "-c", "w.c", "-o", "w.o"}
	for _, colors := range []string{"warning=01;32", "warning=01;34"} {
		env := append(os.Environ(), "TERM=xterm", "GCC_COLORS="+colors)
		r := p.runAt(context.Background(), Invocation{Argv: argv, Env: env, StderrIsTerminal: true})
		want := "\x1b[" + strings.TrimPrefix(colors, "warning=") + "m"
		if r.Outcome != stats.RemoteExecution || !bytes.Contains(r.Stderr, []byte(want)) {
			t.Errorf("GCC_COLORS=%s: %v (%v), stderr %q", colors, r.Outcome, r.Reason, r.Stderr)
		}
	}
}

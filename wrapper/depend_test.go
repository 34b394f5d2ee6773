package wrapper

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/manifest"
	"github.com/rexbuild/rex/stats"
)

// noServerProject is a project whose compiles have no server: a local
// compiler cache with direct mode, as a new user's with nothing running.
func noServerProject(t *testing.T) *project {
	t.Helper()
	if testing.Short() {
		t.Skip("waits out the racy window")
	}
	p := newProject(t, "")
	p.cfg.Direct, p.cfg.LocalCacheSize = true, 1<<30
	return p
}

func age() { time.Sleep(manifest.RacyWindow + 100*time.Millisecond) }

// compiledFirst says whether the compile ran at once, with no scan before
// it (see depend.go).
func compiledFirst(r Result) bool {
	return strings.HasPrefix(r.Phases, "toolchain") && strings.Contains(r.Phases, "compile ") &&
		strings.Index(r.Phases, "compile ") < strings.Index(r.Phases, "key ")
}

// runLikeLocal runs argv through rex, with the outcome want and no reason
// given, and checks its outputs against a local compile's.
func runLikeLocal(t *testing.T, p *project, what string, argv []string, want stats.Outcome) Result {
	t.Helper()
	local := localCompile(t, p.dir, argv)
	r := p.run(argv...)
	if r.Outcome != want || r.Reason != nil || r.ExitCode != 0 {
		t.Fatalf("%s: %v (%v) exit %d, want %v", what, r.Outcome, r.Reason, r.ExitCode, want)
	}
	same(t, what, collect(t, p.dir, r.Stderr), local)
	return r
}

// TestCompileFirst: a source rex never keyed compiles at once, and its
// compiler's account keys it: the next compile is a hit from the record,
// byte for byte the local compile's, and each change that the compile
// would see (a header's content; a header that appears where a
// __has_include looked) is a compile again, never the old result.
func TestCompileFirst(t *testing.T) {
	p := noServerProject(t)
	p.write("inc/h.h", "#define V 1\n")
	p.write("a.c", "#include \"h.h\"\n"+
		"#if __has_include(\"probe.h\")\n#include \"probe.h\"\n#else\n#define P 0\n#endif\nint v = V + P;\n")
	age()
	argv := []string{"gcc", "-Iinc", "-MD", "-c", "a.c", "-o", "x.o"}
	step := func(what string, want stats.Outcome, first bool) {
		t.Helper()
		if r := runLikeLocal(t, p, what, argv, want); compiledFirst(r) != first {
			t.Fatalf("%s: compiled first %v, want %v (%s)", what, !first, first, r.Phases)
		}
	}
	step("never keyed", stats.CacheMiss, true)
	step("again", stats.LocalCacheHit, false)
	p.write("inc/probe.h", "#define P 2\n")
	age()
	step("a header where the probe looked", stats.CacheMiss, false)
	step("again, with the header", stats.LocalCacheHit, false)
	p.write("inc/h.h", "#define V 3\n")
	age()
	step("a header changed", stats.CacheMiss, false)
	p.write("a.c", "#include \"h.h\"\nint v = V;\n")
	age()
	step("the source changed", stats.CacheMiss, true)
	step("the changed source again", stats.LocalCacheHit, false)
}

// TestCompileFirstRecordStatesItsLookups: the record of a compile keyed
// from its account states where that compile looked, and only there. A
// header made where it never looked (the working directory, for an angle
// include) leaves the record whole; a directory it met where it looked,
// named like the header it searched on to find, is a fact: once it is a
// file, the compile reads that file, and so does rex.
func TestCompileFirstRecordStatesItsLookups(t *testing.T) {
	p := noServerProject(t)
	p.write("b/h.h", "#define V 1\n")
	p.write("a.c", "#include <h.h>\nint v = V;\n")
	if err := os.MkdirAll(filepath.Join(p.dir, "a/h.h"), 0o755); err != nil {
		t.Fatal(err)
	}
	age()
	argv := []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "x.o"}
	step := func(what string, want stats.Outcome, direct bool) {
		t.Helper()
		r := runLikeLocal(t, p, what, argv, want)
		if got := strings.Contains(r.Phases, "direct"); got != direct {
			t.Fatalf("%s: served by the record %v, want %v (%s)", what, got, direct, r.Phases)
		}
	}
	step("never keyed", stats.CacheMiss, false)
	step("again", stats.LocalCacheHit, true)
	p.write("h.h", "#define V 2\n")
	age()
	step("a header where the compile never looked", stats.LocalCacheHit, true)
	if err := os.Remove(filepath.Join(p.dir, "a/h.h")); err != nil {
		t.Fatal(err)
	}
	p.write("a/h.h", "#define V 3\n")
	age()
	step("the directory it searched on past is a header now", stats.CacheMiss, false)
	step("again, with that header", stats.LocalCacheHit, true)
}

// TestCompileFirstDistrustsFreshInputs: the key hashes the files after the
// compile read them, so one changed moments before it began (or while it
// ran) may not be what it read: the result stands, and no cache holds it.
func TestCompileFirstDistrustsFreshInputs(t *testing.T) {
	p := noServerProject(t)
	p.write("a.c", "#include \"h.h\"\nint v = V;\n")
	age()
	p.write("h.h", "#define V 1\n")
	argv := []string{"gcc", "-c", "a.c", "-o", "x.o"}
	local := localCompile(t, p.dir, argv)
	r := p.run(argv...)
	if r.Outcome != stats.CacheMiss || r.Reason == nil || !strings.Contains(r.Reason.Error(), "h.h changed moments before") {
		t.Fatalf("fresh header: %v (%v), want a miss that fills nothing", r.Outcome, r.Reason)
	}
	same(t, "fresh header", collect(t, p.dir, r.Stderr), local)
	age()
	for i, want := range []stats.Outcome{stats.CacheMiss, stats.LocalCacheHit} {
		r := p.run(argv...)
		if r.Outcome != want || r.Reason != nil {
			t.Fatalf("aged, compile %d: %v (%v), want %v", i, r.Outcome, r.Reason, want)
		}
		same(t, fmt.Sprintf("aged, compile %d", i), collect(t, p.dir, r.Stderr), local)
	}
}

// TestCompileFirstOnlyUnkeyedSources: a source whose content a compile
// keyed before takes the full path, where a result of that content may
// wait: a copy of the tree elsewhere hits.
func TestCompileFirstOnlyUnkeyedSources(t *testing.T) {
	p := noServerProject(t)
	p.write("tree/a.c", "#include <unistd.h>\nint v = 7;\n") // probes a toolchain header
	age()
	argv := []string{"gcc", "-c", "a.c", "-o", "x.o"}
	dir := p.dir
	p.dir = filepath.Join(dir, "tree")
	if r := p.run(argv...); r.Outcome != stats.CacheMiss || !compiledFirst(r) {
		t.Fatalf("first compile: %v (%v) %s", r.Outcome, r.Reason, r.Phases)
	}
	if err := os.MkdirAll(filepath.Join(dir, "copy"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "tree/a.c"))
	p.dir = filepath.Join(dir, "copy")
	p.write("a.c", string(data))
	age()
	if r := p.run(argv...); r.Outcome != stats.LocalCacheHit || compiledFirst(r) {
		t.Fatalf("a copy of the tree: %v (%v) %s, want a hit by the scan's key", r.Outcome, r.Reason, r.Phases)
	}
}

// TestCompileFirstKeysNoUnexplainedLookup: a path the compile looked for
// that no scan would (a __has_include pasted from a macro's parameters,
// which the text does not show; a #line's file, read for a diagnostic)
// keeps its account from keying it: once the path appears, the full
// path's scan would make the very same key. The full path takes the
// source from then on.
func TestCompileFirstKeysNoUnexplainedLookup(t *testing.T) {
	for name, src := range map[string]string{
		"pasted probe": "#define CAT(a, b) a##b\n#if CAT(__has_, include)(\"probe.h\")\n#include \"probe.h\"\n#endif\nint v;\n",
		"#line's file": "#line 3 \"other.c\"\nint f(void) { int unused; return 0; }\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := noServerProject(t)
			p.write("a.c", src)
			age()
			argv := []string{"gcc", "-Wall", "-c", "a.c", "-o", "x.o"}
			local := localCompile(t, p.dir, argv)
			r := p.run(argv...)
			if r.Outcome != stats.CacheMiss || r.Reason == nil || !strings.Contains(r.Reason.Error(), "which no include or probe of its text names") {
				t.Fatalf("compiled first: %v (%v), want a miss that keys nothing", r.Outcome, r.Reason)
			}
			same(t, "compiled first", collect(t, p.dir, r.Stderr), local)
			if r := p.run(argv...); compiledFirst(r) {
				t.Fatalf("again: compiled first (%s), want the full path", r.Phases)
			}
		})
	}
}

// TestCompileFirstCacheOnly: cache-only, a source no client keyed compiles
// at once and fills the remote cache, with its marker; another machine's
// client (its own state, nothing noted), finding the marker, scans and
// hits, byte for byte the local compile's. So does a client after a remote
// execution, whose plan uploaded the marker with the inputs.
func TestCompileFirstCacheOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the racy window")
	}
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.cfg.Direct, p.cfg.LocalCacheSize = true, 1<<30
	argv := []string{"gcc", "-Iinc", "-c", "a.c", "-o", "x.o"}
	step := func(what string, cacheOnly bool, want stats.Outcome, first bool) {
		t.Helper()
		local := localCompile(t, p.dir, argv)
		p.cfg.CacheOnly = cacheOnly
		p.cfg.StateDir = filepath.Join(t.TempDir(), "state") // another machine's client
		r := p.run(argv...)
		if r.Outcome != want || r.Reason != nil || r.ExitCode != 0 {
			t.Fatalf("%s: %v (%v) exit %d, want %v", what, r.Outcome, r.Reason, r.ExitCode, want)
		}
		if compiledFirst(r) != first {
			t.Fatalf("%s: compiled first %v, want %v (%s)", what, !first, first, r.Phases)
		}
		same(t, what, collect(t, p.dir, r.Stderr), local)
	}
	// unistd.h probes a toolchain header (glibc's close_range.h) with
	// __has_include, which a scan's key names: so must the account's.
	p.write("inc/h.h", "#include <unistd.h>\n#define V 1\n")
	p.write("a.c", "#include \"h.h\"\nint v = V;\n")
	age()
	step("cache-only, never keyed", true, stats.CacheMiss, true)
	step("cache-only, keyed by another client", true, stats.CacheHit, false)
	p.write("a.c", "#include \"h.h\"\nint v = V + 1;\n")
	age()
	step("remote execution of a new source", false, stats.RemoteExecution, false)
	step("cache-only, executed remotely before", true, stats.CacheHit, false)

	// A header written moments before: the account cannot key the compile,
	// so the full path keys and fills it, and the next client hits.
	p.write("a.c", "#include \"h.h\"\nint v = V + 2;\n")
	age()
	p.write("inc/h.h", "#include <unistd.h>\n#define V 4\n")
	local := localCompile(t, p.dir, argv)
	p.cfg.CacheOnly, p.cfg.StateDir = true, filepath.Join(t.TempDir(), "state")
	if r := p.run(argv...); r.Outcome != stats.CacheMiss || r.Reason != nil || !strings.Contains(r.Phases, "scan ") {
		t.Fatalf("cache-only, a fresh header: %v (%v), want a miss keyed by the full path (%s)", r.Outcome, r.Reason, r.Phases)
	} else {
		same(t, "cache-only, a fresh header", collect(t, p.dir, r.Stderr), local)
	}
	step("cache-only, after a fresh header", true, stats.CacheHit, false)
}

package realbuild

import (
	"fmt"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// runLayout builds l plainly, then in the same directories through rex
// with a fresh REX_DIR, and checks that every object is identical to the
// local build's, that the build left the same files, that configure's
// probes decided the same, that nothing fell back to a local compile, and
// that at least l.minRemote percent of the objects were compiled remotely.
// A failed compile fails the build step, and so the test.
func runLayout(t *testing.T, l *layout) {
	if testing.Short() {
		t.Skipf("%s: real builds take minutes; skipped under -short", l.name)
	}
	start := time.Now()
	src := fetch(t, l.pkg)
	base := t.TempDir()
	requireNoGit(t, base)
	rex := testenv.Bin(t, "rex")
	addr := ""
	if !l.noServer {
		srv := testenv.StartServer(t, "", "--workers", "2")
		serverLogOnFailure(t, srv)
		addr = srv.Addr
	}

	// Plain local build: the reference objects.
	local := newLayoutBuild(t, l, src, base, nil)
	localTime := local.configure(t)
	pre := local.tr.objects(t, nil)
	localTime += local.run(t, "local-build", l.make(local.c))
	want := local.objects(t, pre)
	if countObjects(want) == 0 {
		t.Fatalf("%s: the local build made no objects", l.name)
	}
	golden := keepGolden(t, local.tr, want)
	root := &tree{root: base}
	localFiles := root.files(t)
	localConfig := local.readConfig(t)

	// The same through rex, in the same directories.
	rb := newLayoutBuild(t, l, src, base, &rexEnv{bin: rex, server: addr, dir: t.TempDir()})
	rexTime := rb.configure(t)
	rb.tr.zeroStats(t)
	built := false
	defer func() {
		// A failed build step ends the test; still say how its compiles ran.
		if !built {
			t.Logf("%s: rex build failed; its compiles so far: %v", l.name, rb.tr.stats(t))
		}
	}()
	rexTime += rb.run(t, "rex-build", l.make(rb.c))
	built = true
	s := rb.tr.stats(t)
	for name, got := range rb.readConfig(t) {
		if got != localConfig[name] {
			t.Errorf("%s: the probes through rex wrote a different %s than with the plain compiler:\n%s",
				l.name, name, lineDiff(localConfig[name], got))
		}
	}
	identical := compareObjects(t, "layout", rb.tr, golden, want, rb.objects(t, pre))
	if d := setDiff(localFiles, root.files(t)); d != "" {
		t.Errorf("%s: the rex build left a different set of files than the local build: %s", l.name, d)
	}
	n := countObjects(want) + len(l.differ)
	if s.Fallbacks != 0 {
		t.Errorf("%s: %d compiles fell back to a local compile (%v)", l.name, s.Fallbacks, s)
	}
	if l.noServer {
		checkNoServer(t, l, rb, s, n, golden, want, pre)
	} else if s.Remote*100 < int64(n*l.minRemote) {
		t.Errorf("%s: %d remote executions for %d objects, want at least %d%% remote (%v)",
			l.name, s.Remote, n, l.minRemote, s)
	}
	t.Logf("%s: %d objects, %d of %d compared identical, %d compiled remotely (%d%%), %d local runs, %d fallbacks; local %v, rex %v (%v)",
		l.name, n, identical, len(want), s.Remote, percent(s.Remote, n), s.LocalRuns, s.Fallbacks,
		localTime.Round(time.Second), rexTime.Round(time.Second), time.Since(start).Round(time.Second))
}

// checkNoServer checks a build through rex with no server: its misses
// filled the local cache (at least l.minRemote percent of the n objects),
// and l.rebuild, from a clean tree, is served from it, every object the
// local build's.
func checkNoServer(t *testing.T, l *layout, rb *layoutBuild, s stats, n int, golden string, want, pre map[string]object) {
	t.Helper()
	if s.Remote != 0 || s.CacheMisses*100 < int64(n*l.minRemote) {
		t.Errorf("%s: %d misses filled for %d objects, want at least %d%%, and no remote execution (%v)",
			l.name, s.CacheMisses, n, l.minRemote, s)
	}
	rb.tr.zeroStats(t)
	for i, c := range l.rebuild(rb.c) {
		rb.run(t, fmt.Sprintf("rex-rebuild-%d", i), c)
	}
	r := rb.tr.stats(t)
	identical := compareObjects(t, "layout rebuilt", rb.tr, golden, want, rb.objects(t, pre))
	if r.Hits*100 < int64(n*l.minRemote) || r.Fallbacks != 0 {
		t.Errorf("%s: the rebuild from a clean tree had %d hits for %d objects, want at least %d%% (%v)",
			l.name, r.Hits, n, l.minRemote, r)
	}
	t.Logf("%s: rebuilt from a clean tree: %d of %d compared identical, %d hits (%d%%), %d misses",
		l.name, identical, len(want), r.Hits, percent(r.Hits, n), r.CacheMisses)
}

func percent(part int64, whole int) int64 {
	if whole == 0 {
		return 0
	}
	return part * 100 / int64(whole)
}

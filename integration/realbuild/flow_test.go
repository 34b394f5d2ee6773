package realbuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// lockTrouble matches what rex or the build would print if concurrent rex
// processes fought over REX_DIR (stats, caches) or over outputs.
var lockTrouble = regexp.MustCompile(`(?i)\b(lock|locked|locking|flock|deadlock)\b|resource temporarily unavailable|text file busy`)

// runProject builds p plainly, then through rex, and checks the properties
// the package comment lists. Every build runs with -j8, so on a two-core
// machine eight or more rex processes run at once.
func runProject(t *testing.T, p *project) {
	if testing.Short() {
		t.Skipf("%s: real builds take minutes; skipped under -short", p.name)
	}
	if _, err := exec.LookPath("clang++"); p.clang && err != nil {
		t.Skipf("%s: clang++ is not installed; this build is clang's", p.name)
	}
	start := time.Now()
	src := fetch(t, p.pkg)
	rex := testenv.Bin(t, "rex")
	srv := startServer(t, p)
	base := t.TempDir()
	dirA := filepath.Join(base, "a", p.name)
	dirB := filepath.Join(base, "another", "checkout", p.name)
	newRex := func() *rexEnv { return &rexEnv{bin: rex, server: srv.Addr, dir: t.TempDir(), hermetic: p.hermetic} }
	defer func() {
		if t.Failed() {
			t.Logf("rex-server log (end):\n%s", tail(srv.Log(), 40))
		}
	}()

	// Plain local build: the reference objects and dependency records.
	local := newTree(t, p, src, dirA, nil)
	local.configure(t)
	pre := local.objects(t, nil)
	local.build(t, "local-build")
	want := local.objects(t, pre)
	if len(want) == 0 {
		t.Fatalf("%s: the local build made no objects", p.name)
	}
	golden := keepGolden(t, local, want)
	localFiles := local.files(t)
	localDeps := local.deps(t)
	localConfig := readConfigOutputs(t, local)
	header := filepath.Join(dirA, p.header)
	expect := includers(localDeps, header)
	if localDeps == nil {
		expect = setOf(p.includers)
	}
	if len(expect) == 0 || len(expect) == len(want) {
		t.Fatalf("%s: %s is included by %d of %d objects; pick a header that splits them", p.name, p.header, len(expect), len(want))
	}

	// Cold build through rex in the same directory, fresh REX_DIR.
	var stderrs []string
	a := newTree(t, p, src, dirA, newRex())
	a.configure(t)
	compareConfigOutputs(t, localConfig, a)
	a.zeroStats(t)
	stderrs = append(stderrs, a.build(t, "rex-cold"))
	cold := a.stats(t)
	t.Logf("%s: cold build: %v", p.name, cold)
	identical := compareObjects(t, "cold", a, golden, want, a.objects(t, pre))
	if localDeps != nil {
		compareDeps(t, a, localDeps, a.deps(t))
	}
	if d := setDiff(localFiles, a.files(t)); d != "" {
		t.Errorf("%s: the rex build left a different set of files than the local build (partial outputs, temporaries?): %s", p.name, d)
	}
	if cold.Remote == 0 || cold.Fallbacks != 0 {
		t.Errorf("%s: cold build: want remote executions > 0 and no local fallbacks, got %v", p.name, cold)
	}
	if p.allRemote && (cold.LocalRuns != 0 || cold.CacheMisses != 0) {
		t.Errorf("%s: cold build: want every compile run remotely, got %v (rex stats in %s says why)", p.name, cold, a.rex.dir)
	}

	// Clean and rebuild: cache hits.
	a.clean(t)
	a.zeroStats(t)
	stderrs = append(stderrs, a.build(t, "rex-rebuild"))
	rebuild := a.stats(t)
	t.Logf("%s: rebuild: %v", p.name, rebuild)
	compareObjects(t, "rebuild", a, golden, want, a.objects(t, pre))
	checkHits(t, p.name+": rebuild", rebuild, len(want))

	// A second checkout in another directory, its own REX_DIR: cache hits,
	// and the same bytes as the first checkout's local build.
	b := newTree(t, p, src, dirB, newRex())
	b.configure(t)
	b.zeroStats(t)
	stderrs = append(stderrs, b.build(t, "rex-copy"))
	cp := b.stats(t)
	t.Logf("%s: copy in %s: %v", p.name, dirB, cp)
	compareObjects(t, "copy", b, golden, want, b.objects(t, pre))
	checkHits(t, p.name+": copy", cp, len(want))

	// Edit one header: exactly the objects that include it are rebuilt, all
	// as misses (the header's content is part of every key it is in).
	before := a.objects(t, pre)
	time.Sleep(20 * time.Millisecond)
	appendTo(t, header, "\n/* edited by the rex real-build test */\n")
	a.zeroStats(t)
	stderrs = append(stderrs, a.build(t, "rex-header-edit"))
	edit := a.stats(t)
	after := a.objects(t, pre)
	rebuilt := map[string]bool{}
	for rel, o := range after {
		if before[rel].mtime != o.mtime {
			rebuilt[rel] = true
		}
	}
	t.Logf("%s: after editing %s: rebuilt %d objects, %v", p.name, p.header, len(rebuilt), edit)
	if d := setDiff(expect, rebuilt); d != "" {
		t.Errorf("%s: editing %s rebuilt the wrong objects (missing: not rebuilt; extra: rebuilt needlessly): %s", p.name, p.header, d)
	}
	if edit.Hits != 0 || edit.Remote != int64(len(expect)) {
		t.Errorf("%s: editing %s: want %d remote executions and no hits, got %v", p.name, p.header, len(expect), edit)
	}

	for _, s := range stderrs {
		for _, line := range strings.Split(s, "\n") {
			if lockTrouble.MatchString(line) {
				t.Errorf("%s: build stderr mentions locking: %s", p.name, line)
			}
		}
	}
	t.Logf("%s: %d objects, %d identical, rebuild hits %d/%d, copy hits %d/%d, edit of %s rebuilt %d/%d expected (%v)",
		p.name, len(want), identical, rebuild.Hits, len(want), cp.Hits, len(want),
		p.header, len(rebuilt), len(expect), time.Since(start).Round(time.Second))
}

// checkHits wants at least 99% of the n compiles to be cache hits and no
// local fallbacks.
func checkHits(t *testing.T, what string, s stats, n int) {
	t.Helper()
	if s.Hits*100 < int64(n)*99 || s.Fallbacks != 0 {
		t.Errorf("%s: want at least 99%% of %d compiles as cache hits and no fallbacks, got %v", what, n, s)
	}
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func setOf(items []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range items {
		m[s] = true
	}
	return m
}

// setDiff describes how got differs from want, or returns "".
func setDiff(want, got map[string]bool) string {
	var missing, extra []string
	for _, k := range sortedKeys(want) {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for _, k := range sortedKeys(got) {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	if len(missing)+len(extra) == 0 {
		return ""
	}
	return "missing: [" + strings.Join(limit(missing, 20), " ") + "]; extra: [" + strings.Join(limit(extra, 20), " ") + "]"
}

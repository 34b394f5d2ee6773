package observe

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/plan"
)

// rex plan on googletest's compile_commands.json, after one source changed
// since the cache was filled: the predicted hit rate is the one the clean
// build that follows gets, and the miss is put down to that source.
func TestPlanPredictsTheBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: builds googletest")
	}
	srv := testenv.StartServer(t, "", "--workers", "2")
	src := filepath.Join(t.TempDir(), "googletest")
	if out, err := exec.Command("cp", "-a", fetchCorpus(t, "googletest"), src).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	tr := newTree(t, srv.Addr, nil)
	tr.dir = filepath.Dir(src)
	rex := testenv.Bin(t, "rex")
	build := filepath.Join(tr.dir, "build")
	tr.run("cmake", "-S", src, "-B", build, "-G", "Ninja", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
		"-DCMAKE_C_COMPILER_LAUNCHER="+rex, "-DCMAKE_CXX_COMPILER_LAUNCHER="+rex, "-DCMAKE_C_COMPILER=gcc",
		"-DCMAKE_CXX_COMPILER=g++")
	tr.run("cmake", "--build", build, "-j2")
	main := filepath.Join(src, "googletest", "src", "gtest_main.cc")
	appendFile(t, main, "\n// edited after the cache was filled\n")

	var predicted plan.Report
	tr.json(&predicted, "plan", "--json", filepath.Join(build, "compile_commands.json"))
	tr.rex(nil, "stats", "--zero")
	tr.run("cmake", "--build", build, "--target", "clean")
	tr.run("cmake", "--build", build, "-j2")
	got := tr.summary()
	hits := got.CacheHits + got.LocalCacheHits
	t.Logf("predicted: %d compiles, %d hits, %d misses, %d local, hit rate %.3f; the build: %d hits of %d, hit rate %.3f",
		predicted.Compiles, predicted.Hits, predicted.Misses, predicted.Local, predicted.HitRate,
		hits, got.Compiles-got.LocalRuns, got.HitRate)
	if predicted.Compiles < 4 || predicted.Misses != 1 || predicted.HitRate != got.HitRate ||
		int64(predicted.Hits) != hits {
		t.Errorf("the prediction %+v does not match the build: %d hits, hit rate %v", predicted, hits, got.HitRate)
	}
	for _, e := range predicted.Entries {
		if e.Outcome == "miss" && !strings.Contains(e.Reason, "gtest_main.cc") {
			t.Errorf("the miss of %s is put down to %q, not the edited source", e.File, e.Reason)
		}
	}

	// Another machine's state prefetches every hit, then builds with the
	// server gone: every compile hits its local cache.
	other := newTree(t, srv.Addr, nil)
	other.dir = tr.dir
	var pre plan.Report
	other.json(&pre, "plan", "--json", "--prefetch", filepath.Join(build, "compile_commands.json"))
	if pre.Misses != 0 || pre.Prefetched != pre.Hits || pre.Hits < 4 {
		t.Errorf("prefetch: %d hits, %d misses, %d prefetched; want every compile a hit, all prefetched", pre.Hits, pre.Misses, pre.Prefetched)
	}
	srv.Stop()
	other.run("cmake", "--build", build, "--target", "clean")
	other.run("cmake", "--build", build, "-j2")
	if s := other.summary(); s.LocalCacheHits != int64(pre.Hits) || s.CacheHits != 0 || s.LocalFallbacks != 0 {
		t.Errorf("the build after the prefetch, server stopped: %+v; want %d local cache hits", s.Counters, pre.Hits)
	}
}

// run runs a build command in the tree with its environment.
func (tr *tree) run(argv ...string) {
	tr.t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = tr.dir, append(append([]string{}, tr.env...), "CC=gcc", "CXX=g++")
	if out, err := cmd.CombinedOutput(); err != nil {
		tr.t.Fatalf("%v: %v\n%s", argv, err, out)
	}
}

func appendFile(t *testing.T, path, text string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(text)
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// fetchCorpus returns the unpacked source of a corpus package
// (scripts/corpus/fetch caches it).
func fetchCorpus(t *testing.T, pkg string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(testenv.RepoRoot(), "scripts", "corpus", "fetch"), "--tools", pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/corpus/fetch %s: %v\n%s", pkg, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

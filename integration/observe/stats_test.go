package observe

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/stats"
)

// concurrent is as many rex processes as a make -j64 runs at once.
const concurrent = 64

// 64 rex processes share one REX_DIR: every count is exact, with its
// reasons, and the build report groups them by REX_BUILD_ID.
func TestStatsExactUnderConcurrency(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "2")
	files := map[string]string{"common.h": "#define N 7\n"}
	for i := 0; i < concurrent; i++ {
		files[fmt.Sprintf("f%d.c", i)] = fmt.Sprintf("#include \"common.h\"\nint f%d(void) { return N + %d; }\n", i, i)
	}
	tr := newTree(t, srv.Addr, files)
	tr.compileAll("first")
	tr.compileAll("second")
	s := tr.summary()
	want := stats.Counters{
		LocalCacheHits: 32, RemoteExecutions: 32, LocalRuns: 64,
		Reasons: map[string]map[string]int64{
			"local_runs":        {"-E": 32, "several sources": 32},
			"remote_executions": {"new output": 32},
		},
	}
	got := s.Counters
	got.TimeMs, got.TimeSavedMs, got.BytesUploaded, got.BytesDownloaded = nil, 0, 0, 0
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("counters after two builds of %d compiles (-want +got):\n%s", concurrent, d)
	}
	if s.Compiles != 128 || s.HitRate != 0.5 {
		t.Errorf("compiles %d, hit rate %v; want 128, 0.5", s.Compiles, s.HitRate)
	}
	if s.BytesUploaded == 0 || s.BytesDownloaded == 0 || s.TimeMs["remote_executions"] == 0 {
		t.Errorf("no bytes or time recorded: %+v", s.Counters)
	}
	var second stats.BuildReport
	tr.json(&second, "stats", "--build", "second", "--json")
	if second.Compiles != 64 || second.Outcomes["local_cache_hits"] != 32 || second.HitRate != 1 || len(second.Slowest) != 5 {
		t.Errorf("the second build's report: %+v", second)
	}
}

// The JSON names every documented field, and --zero resets them all.
func TestStatsJSONAndZero(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1")
	tr := newTree(t, srv.Addr, map[string]string{"a.c": "int a(void) { return 1; }\n"})
	tr.compile(nil, "gcc", "-c", "a.c")
	tr.compile(nil, "gcc", "-c", "a.c")
	r := tr.rex(nil, "stats", "--json")
	var fields map[string]json.RawMessage
	json.Unmarshal([]byte(r.Stdout), &fields)
	for _, f := range []string{"cache_hits", "local_cache_hits", "remote_executions", "local_fallbacks",
		"local_runs", "cache_misses", "verified", "verify_mismatches", "reasons", "time_ms",
		"time_saved_ms", "bytes_uploaded", "bytes_downloaded", "compiles", "hit_rate"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("rex stats --json lacks %q: %s", f, r.Stdout)
		}
	}
	text := tr.rex(nil, "stats").Stdout
	for _, want := range []string{"local cache hits   1", "remote executions  1", "hit rate           50.0 %"} {
		if !strings.Contains(text, want) {
			t.Errorf("rex stats lacks %q:\n%s", want, text)
		}
	}
	tr.rex(nil, "stats", "--zero")
	if s := tr.summary(); s.Compiles != 0 || s.BytesUploaded != 0 || len(s.Reasons) != 0 {
		t.Errorf("after --zero: %+v", s)
	}
	var report stats.BuildReport
	tr.json(&report, "stats", "--since", "1h", "--json")
	if report.Compiles != 0 {
		t.Errorf("after --zero the build log still holds %d compiles", report.Compiles)
	}
}

// compileAll runs concurrent rex processes at once, each one compile of
// build: a remotable compile (a remote execution the first time), or a
// local run: -E, or two sources at once.
func (tr *tree) compileAll(build string) {
	argv := func(i int) []string {
		switch i % 4 {
		case 1:
			return []string{"gcc", "-E", fmt.Sprintf("f%d.c", i), "-o", fmt.Sprintf("f%d.i", i)}
		case 3:
			return []string{"gcc", "-c", fmt.Sprintf("f%d.c", i), fmt.Sprintf("f%d.c", i-1)}
		}
		return []string{"gcc", "-c", fmt.Sprintf("f%d.c", i), "-o", fmt.Sprintf("f%d.o", i)}
	}
	var wg sync.WaitGroup
	for i := 0; i < concurrent; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr.compile([]string{"REX_BUILD_ID=" + build}, argv(i)...)
		}()
	}
	wg.Wait()
}

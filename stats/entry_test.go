package stats

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A scripted sequence: every counter, reason, time and byte figure exact.
func TestEntriesAddUp(t *testing.T) {
	dir := t.TempDir()
	entries := []Entry{
		{Outcome: CacheHit, Wall: 20 * time.Millisecond, Saved: 480 * time.Millisecond, Sent: 100, Received: 2000},
		{Outcome: LocalCacheHit, Wall: 5 * time.Millisecond, Saved: 495 * time.Millisecond},
		{Outcome: RemoteExecution, Wall: 700 * time.Millisecond, Sent: 5000, Received: 3000},
		{Outcome: LocalRun, Reason: "-E"},
		{Outcome: LocalRun, Reason: "-E"},
		{Outcome: LocalRun, Reason: "several sources"},
		{Outcome: LocalFallback, Reason: "rpc error: code = Unavailable desc = connection refused", Output: "/b/x.o"},
		{Outcome: LocalFallback, Reason: wrapperUnreachable},
	}
	for _, e := range entries {
		if err := RecordEntry(dir, e); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Summarize(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Counters{
		CacheHits: 1, LocalCacheHits: 1, RemoteExecutions: 1, LocalRuns: 3, LocalFallbacks: 2,
		Reasons: map[string]map[string]int64{
			"local_runs":      {"-E": 2, "several sources": 1},
			"local_fallbacks": {"server unreachable": 2},
		},
		TimeMs: map[string]int64{"cache_hits": 20, "local_cache_hits": 5, "remote_executions": 700,
			"local_runs": 0, "local_fallbacks": 0},
		TimeSavedMs: 975, BytesUploaded: 5100, BytesDownloaded: 5000,
	}
	if d := cmp.Diff(want, s.Counters); d != "" {
		t.Errorf("counters (-want +got):\n%s", d)
	}
	if s.Compiles != 8 || s.HitRate != 2.0/5 {
		t.Errorf("compiles %d, hit rate %v; want 8, 0.4 (local runs are not cacheable)", s.Compiles, s.HitRate)
	}
}

const wrapperUnreachable = "the server was unreachable moments ago"

// The JSON keeps the documented field names.
func TestSummaryFields(t *testing.T) {
	dir := t.TempDir()
	RecordEntry(dir, Entry{Outcome: LocalFallback, Reason: "x"})
	RecordFallback(dir, os.ErrClosed)
	s, _ := Summarize(dir)
	b, _ := json.Marshal(s)
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, f := range []string{"cache_hits", "local_cache_hits", "remote_executions", "local_fallbacks",
		"local_runs", "cache_misses", "verified", "verify_mismatches", "reasons", "time_ms", "time_saved_ms",
		"bytes_uploaded", "bytes_downloaded", "compiles", "hit_rate", "last_fallback"} {
		if _, ok := m[f]; !ok {
			t.Errorf("field %q missing from %s", f, b)
		}
	}
}

func TestCategory(t *testing.T) {
	for reason, want := range map[string]string{
		"-E":                                     "-E",
		"several sources":                        "several sources",
		"not a compile (no -c): link":            "link (no -c)",
		"the server was unreachable moments ago": "server unreachable",
		"GetActionResult: rpc error: code = Unavailable desc = x":                                               "server unavailable",
		"not remotable: input /a/b.h is a toolchain file named by a relative path":                              "input ... is a toolchain file named by a relative path",
		"unknown option -fplugin=foo":                                                                           "unknown option -fplugin=foo",
		"coverage instrumentation embeds the absolute .gcda path":                                               "coverage",
		"the server refused rex's credentials: rpc error: code = Unauthenticated":                               "authentication refused",
		"not remotable: dependency scan: exit status 1":                                                         "dependency scan failed",
		"not remotable: /usr/include/fmt/core.h: __has_include(x): probe of a name only preprocessing can tell": "__has_include(x)",
		"not remotable: /src/a.c: .incbin reads a file the dependency scan does not list":                       ".incbin reads a file the dependency scan does not list",
	} {
		if got := Category(reason); got != want {
			t.Errorf("Category(%q) = %q, want %q", reason, got, want)
		}
	}
}

// Too many distinct reasons fold into "other": the file stays small.
func TestReasonsBounded(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < maxReasons+10; i++ {
		RecordEntry(dir, Entry{Outcome: LocalRun, Reason: "unknown option -f" + strconv.Itoa(i)})
	}
	c, _ := Read(dir)
	if n := len(c.Reasons["local_runs"]); n != maxReasons+1 || c.Reasons["local_runs"]["other"] != 10 {
		t.Errorf("%d categories, %d other; want %d and 10", n, c.Reasons["local_runs"]["other"], maxReasons+1)
	}
}

func TestBuildReport(t *testing.T) {
	dir := t.TempDir()
	RecordEntry(dir, Entry{Outcome: RemoteExecution, Build: "old", Wall: time.Second})
	for i, e := range []Entry{
		{Outcome: CacheHit, Wall: 10 * time.Millisecond, Saved: time.Second, Output: "a.o"},
		{Outcome: RemoteExecution, Wall: 900 * time.Millisecond, Output: "b.o"},
		{Outcome: LocalFallback, Reason: wrapperUnreachable, Wall: 3 * time.Millisecond, Output: "c.o"},
		{Outcome: LocalRun, Reason: "-E", Output: "d.o"},
		{Outcome: CacheHit, Wall: 30 * time.Millisecond, Output: "e.o"},
		{Outcome: RemoteExecution, Wall: 400 * time.Millisecond, Output: "f.o"},
	} {
		e.Build = "ci-7"
		if err := RecordEntry(dir, e); err != nil {
			t.Fatal(i, err)
		}
	}
	r, err := Report(dir, Filter{Build: "ci-7"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Compiles != 6 || r.HitRate != 2.0/5 || r.Outcomes["cache_hits"] != 2 || r.TimeSavedMs != 1000 {
		t.Errorf("report = %+v", r)
	}
	var slow []string
	for _, e := range r.Slowest {
		slow = append(slow, e.Output)
	}
	if d := cmp.Diff([]string{"b.o", "f.o", "e.o", "a.o", "c.o"}, slow); d != "" {
		t.Errorf("slowest (-want +got):\n%s", d)
	}
	if len(r.Fallbacks) != 1 || r.Fallbacks[0].Output != "c.o" || r.Fallbacks[0].Reason != wrapperUnreachable {
		t.Errorf("fallbacks = %+v", r.Fallbacks)
	}
	if all, _ := Report(dir, Filter{}); all.Compiles != 7 {
		t.Errorf("unfiltered report has %d compiles, want 7", all.Compiles)
	}
	if later, _ := Report(dir, Filter{Since: time.Now().Add(time.Hour)}); later.Compiles != 0 {
		t.Errorf("a report since the future has %d compiles", later.Compiles)
	}
}

// The log is bounded: past its size it rotates, keeping one older file.
func TestEventsRotate(t *testing.T) {
	defer func(n int64) { maxEventsBytes = n }(maxEventsBytes)
	maxEventsBytes = 64 << 10
	dir := t.TempDir()
	big := strings.Repeat("y", maxReasonText)
	line := len(big) + 200
	for i := 0; i < 2*int(maxEventsBytes)/line+50; i++ {
		RecordEntry(dir, Entry{Outcome: LocalRun, Reason: big})
	}
	var total int64
	for _, name := range []string{eventsFile, eventsFile + ".1"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	if total > 2*maxEventsBytes+int64(2*line) {
		t.Errorf("log holds %d bytes, bound %d", total, 2*maxEventsBytes)
	}
}

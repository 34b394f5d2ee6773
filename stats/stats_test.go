package stats

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// same compares counters, an absent map being an empty one.
func same(a, b Counters) bool { return cmp.Equal(a, b, cmpopts.EquateEmpty()) }

func TestRecordReadZero(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	c, err := Read(dir)
	if err != nil || !same(c, Counters{}) {
		t.Fatalf("Read of nothing = %+v, %v", c, err)
	}
	for _, o := range []Outcome{CacheHit, CacheHit, RemoteExecution, LocalFallback, LocalRun, CacheMiss} {
		if err := Record(dir, o, NotVerified); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = Read(dir)
	want := Counters{CacheHits: 2, RemoteExecutions: 1, LocalFallbacks: 1, LocalRuns: 1, CacheMisses: 1,
		TimeMs: map[string]int64{"cache_hits": 0, "remote_executions": 0, "local_fallbacks": 0, "local_runs": 0, "cache_misses": 0}}
	if !same(c, want) {
		t.Errorf("counters = %+v, want %+v", c, want)
	}
	if err := Zero(dir); err != nil {
		t.Fatal(err)
	}
	if c, _ = Read(dir); !same(c, Counters{}) {
		t.Errorf("after Zero: %+v", c)
	}
}

func TestConcurrentRecords(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if err := Record(dir, CacheHit, NotVerified); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if c, _ := Read(dir); c.CacheHits != 320 {
		t.Errorf("cache_hits = %d, want 320", c.CacheHits)
	}
}

func TestDamagedFileStartsOver(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, fileName), []byte("{not json"), 0o644)
	if err := Record(dir, LocalRun, NotVerified); err != nil {
		t.Fatal(err)
	}
	if c, _ := Read(dir); c.LocalRuns != 1 {
		t.Errorf("counters = %+v", c)
	}
}

func TestLastFallback(t *testing.T) {
	dir := t.TempDir()
	if got := LastFallback(dir); got != "" {
		t.Errorf("LastFallback of nothing = %q", got)
	}
	RecordFallback(dir, os.ErrNotExist)
	RecordFallback(dir, os.ErrDeadlineExceeded)
	if got := LastFallback(dir); !strings.HasSuffix(got, os.ErrDeadlineExceeded.Error()) {
		t.Errorf("LastFallback = %q, want the latest reason", got)
	}
	Zero(dir)
	if got := LastFallback(dir); got != "" {
		t.Errorf("after Zero, LastFallback = %q", got)
	}
}

func TestVerdicts(t *testing.T) {
	dir := t.TempDir()
	Record(dir, CacheHit, Verified)
	Record(dir, RemoteExecution, Mismatch)
	Record(dir, CacheHit, NotVerified)
	RecordMismatch(dir, "action abc/1: hello.o differs")
	c, _ := Read(dir)
	if c.CacheHits != 2 || c.RemoteExecutions != 1 || c.Verified != 2 || c.VerifyMismatches != 1 {
		t.Errorf("counters = %+v, want 2 hits, 1 remote, 2 verified, 1 mismatch", c)
	}
	if got := LastMismatch(dir); !strings.HasSuffix(got, "hello.o differs") {
		t.Errorf("LastMismatch = %q", got)
	}
	Zero(dir)
	if c, _ := Read(dir); !same(c, Counters{}) || LastMismatch(dir) != "" {
		t.Errorf("after Zero: %+v, last mismatch %q", c, LastMismatch(dir))
	}
}

// Package stats keeps rex's outcome counters in a small JSON file under the
// client state directory, with the reasons, times and bytes behind them, and
// a bounded log of recent compiles for build reports. Many rex processes run
// at once (make -j), so every update holds an exclusive flock on the file
// while it reads and rewrites it, and appends to the log under that lock.
package stats

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// Counters are the outcomes of rex invocations, and what they cost.
type Counters struct {
	CacheHits int64 `json:"cache_hits"`
	// LocalCacheHits are hits served from the client's own cache under
	// REX_DIR, without asking the server.
	LocalCacheHits   int64 `json:"local_cache_hits"`
	RemoteExecutions int64 `json:"remote_executions"`
	LocalFallbacks   int64 `json:"local_fallbacks"`
	LocalRuns        int64 `json:"local_runs"`
	// CacheMisses counts local compiles in cache-only mode that filled the
	// remote cache.
	CacheMisses int64 `json:"cache_misses"`
	// Verified counts remote outcomes that were compiled locally as well
	// and compared (REX_VERIFY); VerifyMismatches those that differed.
	Verified         int64 `json:"verified"`
	VerifyMismatches int64 `json:"verify_mismatches"`
	// Reasons counts, per outcome (its JSON name), why compiles ended so:
	// a short category of each reason ("-E", "server unreachable").
	Reasons map[string]map[string]int64 `json:"reasons"`
	// TimeMs is rex's wall time per outcome, in milliseconds. A local run
	// or fallback is timed until the compiler takes over.
	TimeMs map[string]int64 `json:"time_ms"`
	// TimeSavedMs is, over the hits, what the compile cost when it ran
	// (the worker's or the local compile's time) less what the hit cost.
	TimeSavedMs     int64 `json:"time_saved_ms"`
	BytesUploaded   int64 `json:"bytes_uploaded"`
	BytesDownloaded int64 `json:"bytes_downloaded"`
}

// Outcome is how one invocation ended.
type Outcome int

const (
	CacheHit Outcome = iota
	RemoteExecution
	LocalFallback
	LocalRun
	CacheMiss
	LocalCacheHit
)

var outcomeNames = []struct{ text, key string }{
	CacheHit:        {"cache hit", "cache_hits"},
	RemoteExecution: {"remote execution", "remote_executions"},
	LocalFallback:   {"local fallback", "local_fallbacks"},
	LocalRun:        {"local run", "local_runs"},
	CacheMiss:       {"cache miss, compiled locally", "cache_misses"},
	LocalCacheHit:   {"local cache hit", "local_cache_hits"},
}

func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o].text
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Key is the outcome's counter name in the JSON.
func (o Outcome) Key() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o].key
	}
	return "unknown"
}

// Count is the counter of outcome o.
func (c *Counters) Count(o Outcome) int64 {
	if n := c.counter(o); n != nil {
		return *n
	}
	return 0
}

// IsHit says whether the outcome came from a cache.
func (o Outcome) IsHit() bool { return o == CacheHit || o == LocalCacheHit }

func (c *Counters) counter(o Outcome) *int64 {
	switch o {
	case CacheHit:
		return &c.CacheHits
	case LocalCacheHit:
		return &c.LocalCacheHits
	case RemoteExecution:
		return &c.RemoteExecutions
	case LocalFallback:
		return &c.LocalFallbacks
	case LocalRun:
		return &c.LocalRuns
	case CacheMiss:
		return &c.CacheMisses
	}
	return nil
}

const fileName = "stats.json"

// Verdict says whether an invocation's remote outcome was checked against
// a local compile, and how that went.
type Verdict int

const (
	NotVerified Verdict = iota
	Verified
	Mismatch
)

func (c *Counters) addVerdict(v Verdict) {
	switch v {
	case Verified:
		c.Verified++
	case Mismatch:
		c.Verified++
		c.VerifyMismatches++
	}
}

// Record adds one outcome, and its verdict, to the counters under dir.
func Record(dir string, o Outcome, v Verdict) error {
	return RecordEntry(dir, Entry{Outcome: o, Verdict: v})
}

// Zero resets the counters under dir and forgets the last fallback, the
// last mismatch and the log of recent compiles.
func Zero(dir string) error {
	os.Remove(filepath.Join(dir, lastFallbackFile))
	os.Remove(filepath.Join(dir, lastMismatchFile))
	return update(dir, func(c *Counters) error {
		*c = Counters{}
		os.Remove(filepath.Join(dir, eventsFile+".1"))
		if err := os.Remove(filepath.Join(dir, eventsFile)); !os.IsNotExist(err) {
			return err
		}
		return nil
	})
}

// Read returns the counters under dir; all zero when none were recorded.
func Read(dir string) (Counters, error) {
	var c Counters
	f, err := os.Open(filepath.Join(dir, fileName))
	if os.IsNotExist(err) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		return c, fmt.Errorf("lock stats: %w", err)
	}
	return c, decode(f, &c)
}

// update applies change to the counters under an exclusive lock, which
// change may use for other files that must stay consistent with them.
func update(dir string, change func(*Counters) error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, fileName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock stats: %w", err)
	}
	var c Counters
	if err := decode(f, &c); err != nil {
		return err
	}
	if err := change(&c); err != nil {
		return err
	}
	b, _ := json.Marshal(c)
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err = f.WriteAt(b, 0)
	return err
}

// decode reads counters; an empty file (just created) is all zero, and a
// damaged one starts again from zero rather than failing the build.
func decode(f *os.File, c *Counters) error {
	b, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if len(b) > 0 && json.Unmarshal(b, c) != nil {
		*c = Counters{}
	}
	return nil
}

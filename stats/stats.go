// Package stats keeps rex's outcome counters in a small JSON file under the
// client state directory. Many rex processes run at once (make -j), so every
// update holds an exclusive flock on the file while it reads and rewrites it.
package stats

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Counters are the outcomes of rex invocations.
type Counters struct {
	CacheHits        int64 `json:"cache_hits"`
	RemoteExecutions int64 `json:"remote_executions"`
	LocalFallbacks   int64 `json:"local_fallbacks"`
	LocalRuns        int64 `json:"local_runs"`
	// CacheMisses counts local compiles in cache-only mode that filled the
	// remote cache.
	CacheMisses int64 `json:"cache_misses"`
	// LocalCacheHits counts results served from the local cache under
	// REX_DIR, without the server.
	LocalCacheHits int64 `json:"local_cache_hits"`
	// Verified counts remote outcomes that were compiled locally as well
	// and compared (REX_VERIFY); VerifyMismatches those that differed.
	Verified         int64 `json:"verified"`
	VerifyMismatches int64 `json:"verify_mismatches"`
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

func (o Outcome) String() string {
	switch o {
	case CacheHit:
		return "cache hit"
	case RemoteExecution:
		return "remote execution"
	case LocalFallback:
		return "local fallback"
	case LocalRun:
		return "local run"
	case CacheMiss:
		return "cache miss, compiled locally"
	case LocalCacheHit:
		return "local cache hit"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

func (c *Counters) add(o Outcome) {
	switch o {
	case CacheHit:
		c.CacheHits++
	case RemoteExecution:
		c.RemoteExecutions++
	case LocalFallback:
		c.LocalFallbacks++
	case LocalRun:
		c.LocalRuns++
	case CacheMiss:
		c.CacheMisses++
	case LocalCacheHit:
		c.LocalCacheHits++
	}
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

// Record adds one outcome, and its verdict, to the counters under dir: in
// one locked update, so a reader never sees one without the other.
func Record(dir string, o Outcome, v Verdict) error {
	return update(dir, func(c *Counters) { c.add(o); c.addVerdict(v) })
}

// Zero resets the counters under dir and forgets the last fallback and
// mismatch.
func Zero(dir string) error {
	os.Remove(filepath.Join(dir, lastFallbackFile))
	os.Remove(filepath.Join(dir, lastMismatchFile))
	return update(dir, func(c *Counters) { *c = Counters{} })
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

func update(dir string, change func(*Counters)) error {
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
	change(&c)
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

const (
	lastFallbackFile = "last-fallback"
	lastMismatchFile = "last-mismatch"
)

// RecordFallback remembers why the latest local fallback happened, for
// `rex stats`; the build itself stays quiet about it unless a person watches.
func RecordFallback(dir string, reason error) error {
	return recordLast(dir, lastFallbackFile, reason.Error())
}

// RecordMismatch remembers the latest verification mismatch, for `rex stats`.
func RecordMismatch(dir, what string) error {
	return recordLast(dir, lastMismatchFile, what)
}

// LastFallback returns "time reason" of the latest fallback, or "".
func LastFallback(dir string) string { return readLast(dir, lastFallbackFile) }

// LastMismatch returns "time what" of the latest mismatch, or "".
func LastMismatch(dir string) string { return readLast(dir, lastMismatchFile) }

// recordLast replaces dir/name with one timestamped line, atomically, so a
// reader sees the previous line or the new one, never half of either.
func recordLast(dir, name, text string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	line := fmt.Sprintf("%s %s\n", time.Now().Format(time.RFC3339), text)
	tmp, err := os.CreateTemp(dir, ".last-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(line)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

func readLast(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return strings.TrimSpace(string(b))
}

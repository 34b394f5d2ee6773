package explain

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/rexbuild/rex/stats"
)

// Explanation says how the last compile of an output ran and why.
type Explanation struct {
	Run
	// Why is one sentence for a person.
	Why string `json:"why"`
	// Earlier is the action the differences are counted from: the closest
	// earlier key of the same output.
	Earlier     string       `json:"earlier_action,omitempty"`
	Differences []Difference `json:"differences"`
}

// ErrNoRecord is returned for an output no compile through rex wrote.
var ErrNoRecord = errors.New("no compile of this output is recorded")

// Explain builds the explanation of output's last compile.
func (s Store) Explain(output string) (Explanation, error) {
	output, _ = filepath.Abs(output)
	run, ok := s.Last(output)
	if !ok {
		return Explanation{}, fmt.Errorf("%s: %w (rex keeps one per output under REX_DIR)", output, ErrNoRecord)
	}
	e := Explanation{Run: run, Differences: []Difference{}}
	keys := s.Keys(output)
	if len(keys) == 0 || keys[0].Action != run.Action || run.Action == "" {
		e.Why = local(run)
		return e, nil
	}
	if run.Outcome == stats.CacheHit.Key() || run.Outcome == stats.LocalCacheHit.Key() {
		e.Why = "a cache hit: an earlier compile under the same key left its result"
		return e, nil
	}
	best, diffs, ok := Closest(keys[0], keys[1:])
	switch {
	case run.Outcome == stats.LocalFallback.Key():
		// The key still says what changed: a new platform property that
		// no worker offers is a common cause.
		e.Why = local(run)
	case run.Seen:
		ok = false
		e.Why = "a miss under a key this output was compiled under before: the server no longer has that result " +
			"(evicted, or not cached: a failed compile never is)"
	case !ok:
		e.Why = "a miss: no earlier key of this output is recorded, so nothing to compare (its first compile through rex here)"
	case len(diffs) == 0:
		e.Why = "a miss, though the key equals an earlier one's in every fact recorded"
	default:
		e.Why = fmt.Sprintf("a miss: the key differs from the closest earlier one in %d way(s)", len(diffs))
	}
	if ok {
		e.Earlier, e.Differences = best.Action, diffs
	}
	return e, nil
}

// local explains a compile that planned no action.
func local(run Run) string {
	switch run.Outcome {
	case stats.LocalRun.Key():
		return "compiled locally, as rex cannot run it remotely: " + run.Reason
	case stats.LocalFallback.Key():
		return "compiled locally after the remote path failed: " + run.Reason
	}
	return run.Outcome + " " + run.Reason
}

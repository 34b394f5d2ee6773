package stats

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Filter chooses the compiles of one build: those of a build id, or those
// since a time (either or both).
type Filter struct {
	Build string
	Since time.Time
}

func (f Filter) match(e Event) bool {
	return (f.Build == "" || e.Build == f.Build) && !e.Time.Before(f.Since)
}

// BuildReport is what one build did, for CI logs.
type BuildReport struct {
	Compiles int64            `json:"compiles"`
	Outcomes map[string]int64 `json:"outcomes"`
	HitRate  float64          `json:"hit_rate"`
	// Reasons counts the reasons' categories per outcome, as Counters does.
	Reasons     map[string]map[string]int64 `json:"reasons"`
	WallMs      int64                       `json:"wall_ms"`
	TimeSavedMs int64                       `json:"time_saved_ms"`
	// Slowest are the five compiles that took rex longest.
	Slowest []Event `json:"slowest"`
	// Fallbacks lists every local fallback, with its reason.
	Fallbacks []Event `json:"fallbacks"`
}

// Report reads the build log under dir and reports the compiles f chooses.
func Report(dir string, f Filter) (BuildReport, error) {
	r := BuildReport{Outcomes: map[string]int64{}, Reasons: map[string]map[string]int64{}, Fallbacks: []Event{}}
	var all []Event
	for _, name := range []string{eventsFile + ".1", eventsFile} {
		events, err := readEvents(filepath.Join(dir, name), f)
		if err != nil {
			return r, err
		}
		all = append(all, events...)
	}
	hits, local := int64(0), int64(0)
	for _, e := range all {
		r.Compiles++
		r.Outcomes[e.Outcome]++
		r.WallMs += e.WallMs
		r.TimeSavedMs += e.SavedMs
		switch e.Outcome {
		case CacheHit.Key(), LocalCacheHit.Key():
			hits++
		case LocalRun.Key():
			local++
		case LocalFallback.Key():
			r.Fallbacks = append(r.Fallbacks, e)
		}
		if e.Reason != "" {
			if r.Reasons[e.Outcome] == nil {
				r.Reasons[e.Outcome] = map[string]int64{}
			}
			r.Reasons[e.Outcome][Category(e.Reason)]++
		}
	}
	r.HitRate = hitRate(hits, r.Compiles-local)
	sort.SliceStable(all, func(i, j int) bool { return all[i].WallMs > all[j].WallMs })
	r.Slowest = all[:min(5, len(all))]
	return r, nil
}

func readEvents(path string, f Filter) ([]Event, error) {
	file, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var out []Event
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Event
		// A line cut short by a crash is skipped, not fatal.
		if json.Unmarshal(sc.Bytes(), &e) == nil && f.match(e) {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

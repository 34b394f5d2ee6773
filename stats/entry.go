package stats

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// Entry is one invocation as the counters and the build log see it.
type Entry struct {
	Outcome Outcome
	Verdict Verdict
	// Reason is why the compile ran locally or fell back, in full; the
	// counters keep its Category.
	Reason string
	// Output is the object the compile wrote, for the build report.
	Output string
	// Build groups the compiles of one build (REX_BUILD_ID).
	Build string
	// Wall is rex's own time; Saved, on a hit, what the compile cost when
	// it ran less Wall.
	Wall, Saved    time.Duration
	Sent, Received int64
}

// maxReasons bounds the categories kept per outcome: a build that trips
// on a thousand unknown options must not grow the counters file.
const maxReasons = 48

// RecordEntry adds one invocation to the counters under dir, and to the
// log of recent compiles, in one locked update: a reader never sees one
// without the other, and 64 concurrent compiles lose no count.
func RecordEntry(dir string, e Entry) error {
	return update(dir, func(c *Counters) error {
		c.add(e)
		return appendEvent(dir, e)
	})
}

func (c *Counters) add(e Entry) {
	if n := c.counter(e.Outcome); n != nil {
		*n++
	}
	c.addVerdict(e.Verdict)
	key := e.Outcome.Key()
	if e.Reason != "" {
		if c.Reasons == nil {
			c.Reasons = map[string]map[string]int64{}
		}
		byCat := c.Reasons[key]
		if byCat == nil {
			byCat = map[string]int64{}
			c.Reasons[key] = byCat
		}
		cat := Category(e.Reason)
		if _, known := byCat[cat]; !known && len(byCat) >= maxReasons {
			cat = "other"
		}
		byCat[cat]++
	}
	if c.TimeMs == nil {
		c.TimeMs = map[string]int64{}
	}
	c.TimeMs[key] += e.Wall.Milliseconds()
	if e.Outcome.IsHit() {
		c.TimeSavedMs += e.Saved.Milliseconds()
	}
	c.BytesUploaded += e.Sent
	c.BytesDownloaded += e.Received
}

// Event is one line of the build log.
type Event struct {
	Time     time.Time `json:"time"`
	Build    string    `json:"build,omitempty"`
	Outcome  string    `json:"outcome"`
	Reason   string    `json:"reason,omitempty"`
	Output   string    `json:"output,omitempty"`
	WallMs   int64     `json:"wall_ms"`
	SavedMs  int64     `json:"saved_ms,omitempty"`
	Sent     int64     `json:"bytes_uploaded,omitempty"`
	Received int64     `json:"bytes_downloaded,omitempty"`
	Verify   string    `json:"verify,omitempty"`
}

const eventsFile = "events.jsonl"

var (
	// maxEventsBytes bounds the log: past it the log becomes events.jsonl.1
	// (replacing the one before), so at most twice this is kept: some
	// 50,000 compiles, enough for the last build.
	maxEventsBytes int64 = 8 << 20
	// maxReasonText bounds one event's reason.
	maxReasonText = 512
)

// appendEvent adds e to the log. It runs under the counters' lock, which
// orders the lines and makes the rotation safe.
func appendEvent(dir string, e Entry) error {
	path := filepath.Join(dir, eventsFile)
	if st, err := os.Stat(path); err == nil && st.Size() > maxEventsBytes {
		os.Rename(path, path+".1")
	}
	reason := e.Reason
	if len(reason) > maxReasonText {
		reason = reason[:maxReasonText] + "..."
	}
	ev := Event{
		Time: time.Now().UTC(), Build: e.Build, Outcome: e.Outcome.Key(), Reason: reason,
		Output: e.Output, WallMs: e.Wall.Milliseconds(), Sent: e.Sent, Received: e.Received,
	}
	if e.Outcome.IsHit() {
		ev.SavedMs = e.Saved.Milliseconds()
	}
	switch e.Verdict {
	case Verified:
		ev.Verify = "match"
	case Mismatch:
		ev.Verify = "mismatch"
	}
	line, _ := json.Marshal(ev)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

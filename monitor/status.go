package monitor

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/execution"
)

// statusView is what the status page shows.
type statusView struct {
	Version, Uptime         string
	Now                     string
	HitRatio                string
	Hits, Misses            int64
	Queued                  []string
	QueueMore               int
	Running                 int
	Workers                 []execution.WorkerState
	StoreUsed, StoreMax     string
	StorePercent            int
	StoreEntries, Evictions int64
	Recent                  []recentView
}

type recentView struct {
	At, Action, Worker, Outcome, Duration, Detail string
}

// queueShown bounds the queued actions the page lists.
const queueShown = 20

func (mon *Monitor) view() statusView {
	snap, use := mon.src.Scheduler(), mon.src.Store()
	v := statusView{
		Version: mon.src.Version, Uptime: time.Since(mon.src.Started).Round(time.Second).String(),
		Now:  time.Now().UTC().Format("2006-01-02 15:04:05 UTC"),
		Hits: mon.cacheAC.hits.Load(), Misses: mon.cacheAC.misses.Load(),
		HitRatio: fmt.Sprintf("%.1f %%", 100*mon.cacheAC.ratio()),
		Running:  snap.Running(), Workers: snap.Workers,
		StoreUsed: bytesize.Format(use.Bytes), StoreMax: "unbounded", StoreEntries: use.Entries, Evictions: use.Evictions,
	}
	v.Queued = snap.Queued[:min(len(snap.Queued), queueShown)]
	v.QueueMore = len(snap.Queued) - len(v.Queued)
	if use.Max > 0 {
		v.StoreMax, v.StorePercent = bytesize.Format(use.Max), int(100*use.Bytes/use.Max)
	}
	for _, f := range mon.recent.list() {
		v.Recent = append(v.Recent, describe(f))
	}
	return v
}

func describe(f execution.Finished) recentView {
	r := recentView{At: f.At.UTC().Format("15:04:05"), Action: f.Action, Worker: f.Worker, Outcome: outcomeOf(f)}
	switch r.Outcome {
	case "error":
		r.Detail = f.Message
	case "failed":
		r.Detail = fmt.Sprintf("exit %d", f.ExitCode)
	}
	if f.Duration > 0 {
		r.Duration = f.Duration.Round(time.Millisecond).String()
	}
	return r
}

func (mon *Monitor) statusPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, mon.view()); err != nil {
		slog.Warn("status page", "err", err)
	}
}

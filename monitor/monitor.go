// Package monitor makes rex-server observable: Prometheus metrics (requests
// per RPC and code, action cache hits, store usage and evictions, queue,
// running actions, workers, action durations) and a server-rendered status
// page, both served over HTTP. It reads the server through gRPC
// interceptors and the scheduler's and store's own reports; it changes
// nothing it watches.
package monitor

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/execution"
)

// Sources are what the monitor reads on each scrape or page view.
type Sources struct {
	Scheduler func() execution.Snapshot
	Store     func() cas.Usage
	// Version and Started describe the server on the status page.
	Version string
	Started time.Time
}

// Monitor gathers the metrics and the recent actions of one server.
type Monitor struct {
	src     Sources
	reg     *prometheus.Registry
	m       *metrics
	recent  *recentActions
	cacheAC *hitCounter
}

// New builds a monitor over src.
func New(src Sources) *Monitor {
	if src.Started.IsZero() {
		src.Started = time.Now()
	}
	mon := &Monitor{src: src, reg: prometheus.NewRegistry(), recent: newRecentActions(recentKept),
		cacheAC: &hitCounter{}}
	mon.m = newMetrics(mon)
	return mon
}

// Finished records an action's end: the scheduler's Options.Finished.
func (mon *Monitor) Finished(f execution.Finished) {
	mon.recent.add(f)
	outcome := outcomeOf(f)
	if f.Duration > 0 {
		mon.m.durations.WithLabelValues(outcome).Observe(f.Duration.Seconds())
	}
	mon.m.finished.WithLabelValues(outcome).Inc()
}

// Handler serves /metrics and the status page at /.
func (mon *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(mon.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/{$}", mon.statusPage)
	return mux
}

// outcomeOf names how an action ended: ok, failed (a non-zero exit) or
// error.
func outcomeOf(f execution.Finished) string {
	switch {
	case f.Code != 0:
		return "error"
	case f.ExitCode != 0:
		return "failed"
	}
	return "ok"
}

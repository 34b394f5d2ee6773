package monitor

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus series. Those that describe a state
// (queue, workers, store) are read from their source at scrape time.
type metrics struct {
	requests  *prometheus.CounterVec
	acLookups *prometheus.CounterVec
	durations *prometheus.HistogramVec
	finished  *prometheus.CounterVec
}

// actionBuckets span a trivial compile (10 ms) to a heavy one (10 min).
var actionBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}

func newMetrics(mon *Monitor) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rex_server_requests_total",
			Help: "gRPC calls by method and status code."}, []string{"method", "code"}),
		acLookups: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rex_server_action_cache_lookups_total",
			Help: "GetActionResult calls by result: hit or miss."}, []string{"result"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rex_server_action_duration_seconds",
			Help: "Time workers took on actions, by outcome (ok, failed: non-zero exit, error).", Buckets: actionBuckets},
			[]string{"outcome"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rex_server_actions_finished_total",
			Help: "Executed actions that ended, by outcome (ok, failed: non-zero exit, error)."}, []string{"outcome"}),
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	mon.reg.MustRegister(m.requests, m.acLookups, m.durations, m.finished,
		gauge("rex_server_action_cache_hit_ratio", "Share of GetActionResult calls that hit, since start.",
			mon.cacheAC.ratio),
		gauge("rex_server_queue_length", "Actions waiting for a worker.",
			func() float64 { return float64(len(mon.src.Scheduler().Queued)) }),
		gauge("rex_server_actions_running", "Actions leased to workers.",
			func() float64 { return float64(mon.src.Scheduler().Running()) }),
		gauge("rex_server_workers", "Workers heard from recently.",
			func() float64 { return float64(len(mon.src.Scheduler().Workers)) }),
		gauge("rex_server_store_bytes", "Bytes of blobs and action results in the store.",
			func() float64 { return float64(mon.src.Store().Bytes) }),
		gauge("rex_server_store_entries", "Blobs and action results in the store.",
			func() float64 { return float64(mon.src.Store().Entries) }),
		gauge("rex_server_store_max_bytes", "The store's bound (--max-size), 0 for none.",
			func() float64 { return float64(mon.src.Store().Max) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "rex_server_store_evictions_total",
			Help: "Entries evicted from the store since start."},
			func() float64 { return float64(mon.src.Store().Evictions) }),
	)
	return m
}

// hitCounter counts action cache lookups, for the hit ratio.
type hitCounter struct{ hits, misses atomic.Int64 }

func (h *hitCounter) ratio() float64 {
	hits, misses := h.hits.Load(), h.misses.Load()
	total := hits + misses
	if total == 0 {
		return 0
	}
	return float64(hits) / float64(total)
}

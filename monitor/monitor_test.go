package monitor

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/execution"
)

func testMonitor() *Monitor {
	return New(Sources{
		Scheduler: func() execution.Snapshot {
			return execution.Snapshot{Queued: []string{"q1/1", "q2/2"}, Workers: []execution.WorkerState{
				{ID: "w1", Offers: []string{"OSFamily=linux"}, Running: []string{"r1/10"}, LastSeen: time.Now()},
				{ID: "w2", Polling: true, LastSeen: time.Now()},
			}}
		},
		Store:   func() cas.Usage { return cas.Usage{Bytes: 3 << 20, Entries: 42, Max: 12 << 20, Evictions: 5} },
		Version: "rex-server test",
	})
}

func call(mon *Monitor, method string, err error) {
	mon.UnaryInterceptor(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: method},
		func(context.Context, any) (any, error) { return nil, err })
}

// The metrics parse as Prometheus text, and each holds what happened.
func TestMetrics(t *testing.T) {
	mon := testMonitor()
	call(mon, getActionResult, nil)
	call(mon, getActionResult, status.Error(codes.NotFound, "miss"))
	call(mon, getActionResult, status.Error(codes.NotFound, "miss"))
	call(mon, getActionResult, status.Error(codes.NotFound, "miss"))
	mon.StreamInterceptor(nil, nil, &grpc.StreamServerInfo{FullMethod: "/build.bazel.remote.execution.v2.Execution/Execute"},
		func(any, grpc.ServerStream) error { return nil })
	mon.Finished(execution.Finished{Action: "a/1", Worker: "w1", Duration: 300 * time.Millisecond})
	mon.Finished(execution.Finished{Action: "b/1", Worker: "w1", ExitCode: 1, Duration: 20 * time.Millisecond})
	families := scrape(t, mon)
	for name, want := range map[string]float64{
		"rex_server_action_cache_hit_ratio": 0.25,
		"rex_server_queue_length":           2,
		"rex_server_actions_running":        1,
		"rex_server_workers":                2,
		"rex_server_store_bytes":            3 << 20,
		"rex_server_store_entries":          42,
		"rex_server_store_evictions_total":  5,
	} {
		if got := value(families[name], nil); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := value(families["rex_server_requests_total"], map[string]string{"method": "GetActionResult", "code": "NotFound"}); got != 3 {
		t.Errorf("GetActionResult NotFound requests = %v, want 3", got)
	}
	if got := value(families["rex_server_requests_total"], map[string]string{"method": "Execute", "code": "OK"}); got != 1 {
		t.Errorf("Execute OK requests = %v, want 1", got)
	}
	h := families["rex_server_action_duration_seconds"]
	if h.GetType() != dto.MetricType_HISTOGRAM || len(h.GetMetric()) != 2 {
		t.Fatalf("durations: %v", h)
	}
	for _, m := range h.GetMetric() {
		if m.GetHistogram().GetSampleCount() != 1 {
			t.Errorf("durations %v: %d samples", m.GetLabel(), m.GetHistogram().GetSampleCount())
		}
	}
}

func scrape(t *testing.T, mon *Monitor) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(mon.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	return families
}

// value is the value of the family's metric with the labels want.
func value(f *dto.MetricFamily, want map[string]string) float64 {
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if !match {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

func TestStatusPage(t *testing.T) {
	mon := testMonitor()
	call(mon, getActionResult, nil)
	mon.Finished(execution.Finished{Action: "abc/12", Worker: "w1", Duration: 300 * time.Millisecond, At: time.Now()})
	mon.Finished(execution.Finished{Action: "bad/3", Code: 9, Message: "no <worker>", At: time.Now()})
	srv := httptest.NewServer(mon.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, want := range []string{"100.0 %", "w1", "OSFamily=linux", "r1/10", "idle, waiting for work", "q1/1",
		"abc/12", "300ms", "3.0 MiB", "of 12.0 MiB", "error: no &lt;worker&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the status page lacks %q", want)
		}
	}
	if resp, _ := http.Get(srv.URL + "/nothing"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/nothing: %s", resp.Status)
	}
}

func TestRecentBounded(t *testing.T) {
	r := newRecentActions(3)
	for _, a := range []string{"1", "2", "3", "4"} {
		r.add(execution.Finished{Action: a})
	}
	var got []string
	for _, f := range r.list() {
		got = append(got, f.Action)
	}
	if strings.Join(got, ",") != "4,3,2" {
		t.Errorf("recent = %v, want 4,3,2", got)
	}
}

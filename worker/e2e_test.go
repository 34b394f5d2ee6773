package worker

import (
	"context"
	"testing"
	"time"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/execution"
)

// startRealServer serves the real CAS, action cache, Execution and Workers
// services on a unix socket and returns its address.
func startRealServer(t *testing.T) string {
	t.Helper()
	return serveScheduler(t, cas.NewMemoryStore(), execution.Options{HeartbeatInterval: 200 * time.Millisecond})
}

// TestExecuteThroughRealScheduler runs actions end to end: a client's
// Execute, the scheduler's lease, this worker, the ExecuteResponse, under
// both digest functions (BLAKE3 leases go through Options.CASFor).
func TestExecuteThroughRealScheduler(t *testing.T) {
	addr := startRealServer(t)
	base := client.Config{Server: addr}
	wcl, err := client.Dial(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer wcl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts := Options{Dir: t.TempDir(), Concurrency: 2, LeaseWait: time.Second, Logf: t.Logf, CASFor: CASDialer(base)}
	go func() { done <- New(wcl.Conn(), wcl, opts).Run(ctx) }()
	defer func() { cancel(); <-done }()

	for _, fn := range digest.Functions {
		t.Run(fn.Name(), func(t *testing.T) {
			cfg := base
			cfg.DigestFunction = fn
			cl, err := client.Dial(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			e := &testEnv{cas: cl, fn: fn}
			ad := e.upload(t, shCommand("cat in.txt; printf out > o", "o"), []client.Input{{Path: "in.txt", Data: []byte(fn.Name())}})
			resp, err := cl.Execute(context.Background(), ad, client.ExecuteOptions{SkipCacheLookup: true})
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetStatus().GetCode() != 0 {
				t.Fatalf("status %v", resp.GetStatus())
			}
			ar := resp.GetResult()
			if got := string(e.read(t, ar.GetStdoutDigest())); got != fn.Name() {
				t.Errorf("stdout %q", got)
			}
			if len(ar.GetOutputFiles()) != 1 || string(e.read(t, ar.GetOutputFiles()[0].GetDigest())) != "out" {
				t.Errorf("outputs %v", ar.GetOutputFiles())
			}
			// The scheduler's queued time comes before the worker's start.
			m := ar.GetExecutionMetadata()
			if q, w := m.GetQueuedTimestamp(), m.GetWorkerStartTimestamp(); q == nil || w == nil || w.AsTime().Before(q.AsTime()) {
				t.Errorf("queued at %v, worker start at %v", q, w)
			}
		})
	}
}

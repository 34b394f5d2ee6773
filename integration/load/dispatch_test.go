package load

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/integration/testenv"
)

// BenchmarkDispatchLatency measures, for one action at a time, how long it
// takes from the client's Execute call to the action starting on an idle
// standalone worker (the worker's start timestamp in the result): the
// server's checks, the queue, and the wake-up of the worker's Lease call.
// It reports the median and the 90th percentile over the run.
func BenchmarkDispatchLatency(b *testing.B) {
	s := testenv.StartServer(b, "", "--workers", "0")
	c, err := client.Dial(context.Background(), client.Config{Server: s.Addr})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	startWorkers(b, s, 1)
	runLog := filepath.Join(b.TempDir(), "runs")
	waitForWorkers(b, c, runLog)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		ad := uploadActions(b, c, fmt.Sprintf("b%d", i), 1, runLog)[0]
		t0 := time.Now()
		resp, err := c.Execute(context.Background(), ad, client.ExecuteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, resp.GetResult().GetExecutionMetadata().GetWorkerStartTimestamp().AsTime().Sub(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "ms-p90")
}

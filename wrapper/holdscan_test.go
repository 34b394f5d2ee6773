package wrapper

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rexbuild/rex/stats"
)

// TestScanWaitsForTheSpeculationsLookup: a speculated compile starts its
// scan only once the speculation's lookup has answered (scanHold is long
// here, so that nothing but the answer lets it start): the scan's
// dependency file never appears while the lookup is pending.
func TestScanWaitsForTheSpeculationsLookup(t *testing.T) {
	defer func(d time.Duration) { scanHold = d }(scanHold)
	scanHold = time.Minute
	srv := startServerWith(t, 2)
	p := newProject(t, srv.addr)
	p.cfg.LocalCacheSize = 1 << 30
	p.write("h.h", "#define H 1\n")
	p.write("a.c", "#include \"h.h\"\nint v = H + V;\n")
	var watch atomic.Bool
	var lookups, scansBeside atomic.Int32
	srv.faults.setUnary(methodGetAR, func(resp any, err error) (any, error) {
		if watch.Load() {
			lookups.Add(1)
			// A scan running beside the lookup writes its dependency
			// file well within this.
			for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
				if m, _ := filepath.Glob(filepath.Join(p.dir, ".rex-*.d")); len(m) > 0 {
					scansBeside.Add(1)
					break
				}
			}
		}
		return resp, err
	})
	for round := range 2 {
		watch.Store(round > 0)
		argv := []string{"gcc", fmt.Sprintf("-DV=%d", round), "-MD", "-MF", "x.d", "-c", "a.c", "-o", "x.o"}
		local := localCompile(t, p.dir, argv)
		r := p.run(argv...)
		if r.Outcome != stats.RemoteExecution {
			t.Fatalf("round %d: outcome %v (%v)", round, r.Outcome, r.Reason)
		}
		same(t, fmt.Sprintf("round %d", round), collect(t, p.dir, r.Stderr), local)
	}
	if lookups.Load() != 1 || scansBeside.Load() != 0 {
		t.Errorf("%d speculated lookups, %d with the scan running beside: want 1 and 0", lookups.Load(), scansBeside.Load())
	}
}

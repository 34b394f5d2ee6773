package wrapper

import (
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rexbuild/rex/stats"
)

// TestSpeculationLeavesRefusalsToTheScan: a speculation skips the checks
// that can only refuse a compile, and goes out (its lookup reaches the
// server); the scan's plan makes them. A precompiled header that appeared
// beside a header since the last compile makes the compile run locally,
// and nothing of the speculation is used or left behind.
func TestSpeculationLeavesRefusalsToTheScan(t *testing.T) {
	// The scan, which refuses, starts only once the lookup has answered.
	defer func(d time.Duration) { scanHold = d }(scanHold)
	scanHold = time.Minute
	srv := startServerWith(t, 2)
	var lookups atomic.Int32
	srv.faults.setUnary(methodGetAR, func(resp any, err error) (any, error) {
		lookups.Add(1)
		return resp, err
	})
	p := newProject(t, srv.addr)
	p.cfg.LocalCacheSize = 1 << 30
	p.write("h.h", "#define H 1\n")
	p.write("a.c", "#include \"h.h\"\nint v = H + V;\n")
	if r := p.run("gcc", "-DV=0", "-MD", "-c", "a.c", "-o", "x.o"); r.Outcome != stats.RemoteExecution {
		t.Fatalf("first compile: %v (%v)", r.Outcome, r.Reason)
	}
	p.write("h.h.gch", "not really")
	lookups.Store(0)
	r := p.run("gcc", "-DV=1", "-MD", "-c", "a.c", "-o", "x.o")
	if r.Outcome != stats.LocalRun || !strings.Contains(errText(r.Reason), "precompiled header") {
		t.Errorf("outcome %v (%v), want a local run for the precompiled header", r.Outcome, r.Reason)
	}
	if n := lookups.Load(); n != 1 {
		t.Errorf("%d lookups, want the speculation's alone", n)
	}
	if left, _ := filepath.Glob(filepath.Join(p.dir, ".rex-*")); len(left) > 0 {
		t.Errorf("planning left %q behind", left)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

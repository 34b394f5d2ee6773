package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// restoreGC puts back the test binary's own GC settings.
func restoreGC(t *testing.T) {
	t.Cleanup(func() {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}

func TestTuneGCRaisesTheTargetByDefault(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	debug.SetGCPercent(100)
	tuneGC()
	if got := debug.SetGCPercent(100); got != serverGCPercent {
		t.Errorf("GC percent = %d, want %d", got, serverGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != serverMemoryLimit {
		t.Errorf("memory limit = %d, want %d", got, serverMemoryLimit)
	}
}

func TestTuneGCLeavesGOGCAlone(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50) // as the runtime did at start
	tuneGC()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("GC percent = %d, want the user's 50", got)
	}
}

package main

import (
	"os"
	"runtime/debug"
)

// serverGCPercent is the GC target rex-server runs with unless GOGC says
// otherwise. Its live heap is small (tens of MB) and churns fast (each RPC,
// each staged tree), so the default of 100 collects many times a second
// in a build; 400 spends some tens of MB to collect a fraction as often.
const serverGCPercent = 400

// serverMemoryLimit caps what serverGCPercent lets the heap grow to: past
// it the collector runs as often as it must to stay under, as with the
// default target. A flood of full batch calls can hold ~320 MiB live (see
// integration/limits); this keeps such a flood's peak near what the
// default target gives (1 GiB let it reach 1 GB).
const serverMemoryLimit = 512 << 20

// tuneGC applies serverGCPercent, and serverMemoryLimit, unless GOGC (or
// GOMEMLIMIT) was set, which the Go runtime has then applied.
func tuneGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(serverGCPercent)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serverMemoryLimit)
	}
}

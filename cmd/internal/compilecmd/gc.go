package compilecmd

import (
	"os"
	"runtime/debug"
)

// compileMemoryLimit is the heap at which a compile's rex first collects.
// A compile is a short-lived process whose heap stays small and whose
// garbage dies with it: the default target collected a kernel TU's miss 6
// times, a fifth of rex's own CPU; without a percentage target it collects
// only past this limit, which no compile seen comes near, and its peak RSS
// grows by a few MB (28 to 34 MB for kernel/sched/core.c).
const compileMemoryLimit = 128 << 20

// TuneGC turns the percentage target off for a compile, bounded by
// compileMemoryLimit, unless GOGC or GOMEMLIMIT say otherwise (the runtime
// has then applied them).
func TuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(compileMemoryLimit)
}

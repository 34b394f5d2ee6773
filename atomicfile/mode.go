package atomicfile

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Outputs are written to temporary files (which os.CreateTemp makes 0600)
// and renamed into place, so their mode is set explicitly: to what the
// compiler's own open(0666), or a linker's 0777, leaves under the user's
// umask. A fixed 0644 would ignore a umask of 002 or 077.

// umask is the process's file mode creation mask, read once.
var umask = sync.OnceValue(readUmask)

func readUmask() os.FileMode {
	// /proc shows the mask without changing it; setting it to read it
	// back would, for a moment, affect files other goroutines create.
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return os.FileMode(m)
				}
			}
		}
	}
	old := syscall.Umask(0o22)
	syscall.Umask(old)
	return os.FileMode(old)
}

// OutputMode is the mode of an output file: 0666, or 0777 for an
// executable, less the umask.
func OutputMode(executable bool) os.FileMode {
	if executable {
		return 0o777 &^ umask()
	}
	return 0o666 &^ umask()
}

package limits

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// usage is a process's peak resident memory and its open descriptors.
type usage struct {
	peakRSS int64 // bytes, VmHWM
	fds     int
}

func (u usage) String() string {
	return fmt.Sprintf("peak RSS %d MiB, %d open fds", u.peakRSS>>20, u.fds)
}

// usageOf reads /proc/PID/status and /proc/PID/fd.
func usageOf(t *testing.T, pid int) usage {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var u usage
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			u.peakRSS = kb << 10
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	u.fds = len(fds)
	return u
}

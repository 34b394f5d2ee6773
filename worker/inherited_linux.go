package worker

import (
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeInheritedOnExec marks every descriptor above stderr close-on-exec.
// Go opens its own that way, but never closes at a fork what the process
// inherited from whatever started it (a shell's pipe, a service manager's
// socket): those would reach every command it starts, sandboxed actions
// included. A process that builds a jail calls it first.
func closeInheritedOnExec() error {
	if err := unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC); err == nil {
		return nil
	}
	// Kernels before 5.11: one descriptor at a time.
	names, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range names {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 {
			continue
		}
		unix.CloseOnExec(fd) // the directory's own descriptor is gone: no matter
	}
	return nil
}

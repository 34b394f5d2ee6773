package lookups

import (
	"os"

	"golang.org/x/sys/unix"
)

// logFile returns the file the library writes to: in memory.
func logFile() (*os.File, error) {
	fd, err := unix.MemfdCreate("rex-lookups", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "rex-lookups"), nil
}

package depscan

import (
	"os"

	"golang.org/x/sys/unix"
)

// outputFile returns the file the scan's compiler writes its output to: a
// memory file, so that its megabytes (4 MB of -E for a kernel TU) cross no
// pipe, a few kilobytes at a time, each waking rex to read them.
func outputFile() (*os.File, error) {
	fd, err := unix.MemfdCreate("rex-scan", unix.MFD_CLOEXEC)
	if err != nil {
		return tempOutputFile()
	}
	return os.NewFile(uintptr(fd), "rex-scan"), nil
}

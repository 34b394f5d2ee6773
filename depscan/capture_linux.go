package depscan

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFlags maps the output with its pages at once: the parse reads them
// all, and one fault per page costs more.
const mapFlags = unix.MAP_SHARED | unix.MAP_POPULATE

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

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

// imageFile returns a file in memory that holds image.
func imageFile(image []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate("rex-lookups.so", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "rex-lookups.so")
	if _, err := f.Write(image); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

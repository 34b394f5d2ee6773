package depscan

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// tempOutputFile is an unnamed temporary file: removed at once, it lives
// while it is open.
func tempOutputFile() (*os.File, error) {
	f, err := os.CreateTemp("", "rex-scan-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

// readOutput returns what the compiler wrote to f, mapped rather than
// copied, and the function that releases it.
func readOutput(f *os.File) ([]byte, func(), error) {
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	switch {
	case size == 0:
		return nil, func() {}, nil
	case int64(int(size)) != size:
		return nil, nil, fmt.Errorf("output of %d bytes", size)
	}
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, mapFlags)
	if err != nil {
		// Some filesystems cannot map: read it.
		b = make([]byte, size)
		if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
			return nil, nil, err
		}
		return b, func() {}, nil
	}
	return b, func() { unix.Munmap(b) }, nil
}

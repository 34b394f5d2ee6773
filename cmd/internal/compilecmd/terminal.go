package compilecmd

import (
	"os"

	"golang.org/x/sys/unix"
)

// IsTerminal reports whether f is a terminal: whether it has terminal
// attributes (getTermios, the request isatty(3) makes on this system). A
// character device is not enough: /dev/null is one too.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), getTermios)
	return err == nil
}

package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether f is a terminal. A character device is not
// enough: /dev/null is one too.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// messages is where rex's own lines go: stderr, or the log file when set
// (appended with one write per line, so parallel rex processes interleave
// whole lines). toTerminal says whether a person reads them as they come:
// the log file, or stderr on a terminal. The fallback warning and the
// --verbose lines go only there: a configure script that captures a
// compiler's stderr to decide a feature must not see rex speak, or it
// would configure a different build. `rex stats` always shows the last
// fallback and why.
func messages(logFile string) (w io.Writer, toTerminal bool) {
	if logFile != "" {
		if f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			return f, true
		}
	}
	return os.Stderr, isTerminal(os.Stderr)
}

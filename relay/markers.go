package relay

import (
	"os"
	"path/filepath"
	"time"
)

// Starting a relay costs a compile a process start. Two markers beside
// the socket keep that to once: one while a relay is starting (the other
// compiles of a parallel build do not start theirs), and one after a
// relay could not serve there (no compile tries again for a while).
const (
	startingFor = 10 * time.Second
	failedFor   = time.Minute
)

func startingMarker(socket string) string { return socket + ".starting" }
func failedMarker(socket string) string   { return socket + ".failed" }

// ShouldStart says whether a compile that found no relay at socket should
// start one.
func ShouldStart(socket string) bool {
	return !youngerThan(startingMarker(socket), startingFor) && !youngerThan(failedMarker(socket), failedFor)
}

// MarkStarting notes that a relay for socket is being started.
func MarkStarting(socket string) {
	touch(startingMarker(socket))
}

func youngerThan(path string, d time.Duration) bool {
	st, err := os.Stat(path)
	return err == nil && time.Since(st.ModTime()) < d
}

func touch(path string) {
	os.MkdirAll(filepath.Dir(path), 0o700)
	if f, err := os.Create(path); err == nil {
		f.Close()
	}
}

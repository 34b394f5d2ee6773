package stats

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rexbuild/rex/atomicfile"
)

const (
	lastFallbackFile = "last-fallback"
	lastMismatchFile = "last-mismatch"
)

// RecordFallback remembers why the latest local fallback happened, for
// `rex stats`; the build itself stays quiet about it unless a person watches.
func RecordFallback(dir string, reason error) error {
	return recordLast(dir, lastFallbackFile, reason.Error())
}

// RecordMismatch remembers the latest verification mismatch, for `rex stats`.
func RecordMismatch(dir, what string) error {
	return recordLast(dir, lastMismatchFile, what)
}

// LastFallback returns "time reason" of the latest fallback, or "".
func LastFallback(dir string) string { return readLast(dir, lastFallbackFile) }

// LastMismatch returns "time what" of the latest mismatch, or "".
func LastMismatch(dir string) string { return readLast(dir, lastMismatchFile) }

// recordLast replaces dir/name with one timestamped line, atomically, so a
// reader sees the previous line or the new one, never half of either.
func recordLast(dir, name, text string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	line := fmt.Sprintf("%s %s\n", time.Now().Format(time.RFC3339), text)
	return atomicfile.Write(filepath.Join(dir, name), []byte(line), 0o600)
}

func readLast(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return strings.TrimSpace(string(b))
}

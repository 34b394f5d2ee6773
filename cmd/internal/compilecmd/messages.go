package compilecmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Messages is where rex's own lines go: stderr, or the log file when set
// (appended with one write per line, so parallel rex processes interleave
// whole lines). toTerminal says whether a person reads them as they come:
// the log file, or stderr on a terminal. The fallback warning and the
// --verbose lines go only there: a configure script that captures a
// compiler's stderr to decide a feature must not see rex speak, or it
// would configure a different build. `rex stats` always shows the last
// fallback and why.
func Messages(logFile string) (w io.Writer, toTerminal bool) {
	if logFile != "" {
		if f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			return f, true
		}
	}
	return os.Stderr, IsTerminal(os.Stderr)
}

// warnQuiet is how long one fallback warning covers: a build whose server
// is down says so once, not once per file.
const warnQuiet = time.Minute

// WarnOnce writes line unless a rex process wrote one within warnQuiet.
func WarnOnce(w io.Writer, dir string, line string) {
	marker := filepath.Join(dir, "last-warning")
	if st, err := os.Stat(marker); err == nil && time.Since(st.ModTime()) < warnQuiet {
		return
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(marker, nil, 0o644)
	now := time.Now()
	os.Chtimes(marker, now, now)
	fmt.Fprintln(w, line)
}

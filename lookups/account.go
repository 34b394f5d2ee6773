package lookups

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
)

// Account is a worker's report of the lookups its compile made, carried in
// the ActionResult's auxiliary metadata. A worker has only the files the
// key covers: where its compiler looked for a file the scan never looked
// for (a branch the scan did not take), the client's file of that name,
// which the worker lacked, would have changed the compile (package
// accountmeta carries it). Paths are
// relative to the action's input root (they may climb out of it with
// ".."), or absolute where they lie outside it.
type Account struct {
	// Found are the files read outside the input root: those in it are
	// keyed.
	Found []string
	// Missing are the paths looked for in vain.
	Missing []string
	// Unresolved counts lookups relative to a directory the library could
	// not name.
	Unresolved int
}

// AccountOf reads a worker's log, written for a command run in dir, into
// an Account whose relative paths are relative to root. Both are as the
// command saw them (in a sandbox, its own view).
func AccountOf(b []byte, dir, root string) (Account, error) {
	l, err := Parse(b, dir, firstReadIn(b, dir, root))
	if err != nil {
		return Account{}, err
	}
	if !l.Observed {
		return Account{}, errors.New("lookups: the library wrote nothing of a compiler's")
	}
	rel := func(paths []string, outside bool) []string {
		out := make([]string, 0, len(paths))
		for _, p := range paths {
			a := abs(dir, p)
			r, err := filepath.Rel(root, a)
			in := err == nil && (a == root || strings.HasPrefix(a, root+"/") || !filepath.IsAbs(p))
			switch {
			case in && outside && !strings.HasPrefix(r, "../"):
			case in:
				out = append(out, r)
			default:
				out = append(out, a)
			}
		}
		return out
	}
	return Account{Found: rel(l.Found, true), Missing: rel(l.Missing, false), Unresolved: l.Unresolved}, nil
}

// firstReadIn is the first file of root the log shows opened for reading:
// the source, which the worker does not know otherwise. Parse counts
// clang's driver, which preprocesses in its own process, from there on.
func firstReadIn(b []byte, dir, root string) string {
	for len(b) > 0 {
		end := bytes.IndexByte(b, 0)
		if end < 4 {
			return ""
		}
		rec := b[:end]
		b = b[end+1:]
		if rec[1] == 'o' && rec[2] == '+' && rec[3] == 'r' {
			if a := abs(dir, string(rec[4:])); strings.HasPrefix(a, root+"/") {
				return a
			}
		}
	}
	return ""
}

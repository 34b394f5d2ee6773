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
	// A path spelt relative is told relative to the root, ".." and all;
	// one spelt absolute, only where it lies in the root. Files read in
	// the root are keyed: Found leaves them out.
	var a Account
	for _, p := range l.Found {
		if r, in := underRoot(dir, root, p); !in || strings.HasPrefix(r, "../") {
			a.Found = append(a.Found, r)
		}
	}
	for _, p := range l.Missing {
		r, _ := underRoot(dir, root, p)
		a.Missing = append(a.Missing, r)
	}
	a.Unresolved = l.Unresolved
	return a, nil
}

// underRoot is p, as the compiler in dir spelt it, relative to root when
// it is spelt relative or lies in root (in), else absolute.
func underRoot(dir, root, p string) (string, bool) {
	a := abs(dir, p)
	if r, err := filepath.Rel(root, a); err == nil && (!filepath.IsAbs(p) || a == root || strings.HasPrefix(a, root+"/")) {
		return r, true
	}
	return a, false
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

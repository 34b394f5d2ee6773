// Package atomicfile replaces small files of rex's state and outputs so
// that a reader, or a rex process running beside this one, sees the old
// content or the new, never half of either: a temporary file beside the
// target, renamed over it.
//
// There is no fsync: what these files hold (records, caches of probes,
// the last fallback, an output the compile just made) costs at most a
// redo when a crash loses it, and a sync on every compile would not.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data. The file gets mode perm; 0o600, what a
// temporary file is made with, costs no chmod.
func Write(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	var werr error
	if perm != 0o600 {
		werr = tmp.Chmod(perm)
	}
	if werr == nil {
		_, werr = tmp.Write(data)
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

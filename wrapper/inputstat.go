package wrapper

import (
	"errors"
	"syscall"
)

// fileStamp is what stat says about one input: enough to tell that a file
// changed without reading it. ctime catches an edit that restores the
// mtime; the inode catches an editor's rename over the file.
type fileStamp struct {
	exists       bool
	size         int64
	mtime, ctime syscall.Timespec
	dev, ino     uint64
}

func stampOf(path string) fileStamp {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fileStamp{}
	}
	return fileStamp{exists: true, size: st.Size, mtime: st.Mtim, ctime: st.Ctim, dev: uint64(st.Dev), ino: st.Ino}
}

// inputStamps are the stamps of a compile's inputs, taken before the key
// hashed them.
type inputStamps map[string]fileStamp

// inputPaths lists the absolute paths of the scanned dependencies, once each.
func inputPaths(l layout, deps []string) []string {
	seen := map[string]bool{}
	var paths []string
	for _, dep := range deps {
		if abs := l.abs(dep); !seen[abs] {
			seen[abs] = true
			paths = append(paths, abs)
		}
	}
	return paths
}

// stampsFor stamps the inputs when the plan is for a cache-only compile,
// whose local result rex stores under the key: that result must have been
// computed from what the key hashed. Other modes never store what they
// compile, and skip the stats.
func stampsFor(cfg Config, paths []string) inputStamps {
	if !cfg.CacheOnly {
		return nil
	}
	s := make(inputStamps, len(paths))
	for _, p := range paths {
		s[p] = stampOf(p)
	}
	return s
}

// errInputsChanged says that the cache was left unfilled because an input
// changed between its hashing and the end of the compile.
var errInputsChanged = errors.New("inputs changed during the compile; the cache is not filled")

// changed returns the first input whose stamp is no longer what it was, or "".
func (s inputStamps) changed(paths []string) string {
	for _, p := range paths {
		if stampOf(p) != s[p] {
			return p
		}
	}
	return ""
}

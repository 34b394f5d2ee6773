package wrapper

import (
	"errors"
	"time"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/dirlist"
)

// fileStat is what stat says about one input: enough to tell that a file
// changed without reading it. ctime catches an edit that restores the
// mtime; the inode catches an editor's rename over the file.
type fileStat struct {
	exists       bool
	size         int64
	mtime, ctime int64 // nanoseconds since the epoch
	dev, ino     uint64
}

func statOf(path string) fileStat {
	st, err := dirlist.StatOf(path)
	if err != nil {
		return fileStat{}
	}
	return fileStat{exists: true, size: st.Size, mtime: st.Mtime, ctime: st.Ctime, dev: st.Dev, ino: st.Ino}
}

// fileStamp is an input's stat data from before the key hashed it. A file
// changed moments before (racy) gets its content digest too: timestamps
// tick coarsely, so a second write of the same size in the same tick
// leaves stat unchanged, and only the content can tell.
type fileStamp struct {
	stat fileStat
	racy bool
	sum  digest.Digest
}

// inputStamps are the stamps of a compile's inputs, by absolute path.
type inputStamps map[string]fileStamp

// stampsFor stamps the inputs before the key hashes them. A compile run
// locally whose result rex stores under the key (cache-only, or with no
// server) must have been computed from what the key hashed; a direct-mode
// record states the inputs with these stamps.
func stampsFor(paths []string) inputStamps {
	taken := time.Now()
	s := make(inputStamps, len(paths))
	for _, p := range paths {
		st := fileStamp{stat: statOf(p)}
		ctime := time.Unix(0, st.stat.ctime)
		if st.stat.exists && taken.Sub(ctime) < racyWindow {
			st.racy = true
			st.sum, _ = digest.BLAKE3.FromFile(p) // an error is a zero sum, which no re-hash matches
		}
		s[p] = st
	}
	return s
}

// errInputsChanged says that the cache was left unfilled because an input
// changed between its hashing and the end of the compile.
var errInputsChanged = errors.New("inputs changed during the compile; the cache is not filled")

// changed returns the first input that is no longer what it was when
// stamped, or "".
func (s inputStamps) changed(paths []string) string {
	for _, p := range paths {
		before := s[p]
		if statOf(p) != before.stat {
			return p
		}
		if before.racy {
			if sum, err := digest.BLAKE3.FromFile(p); err != nil || sum != before.sum {
				return p
			}
		}
	}
	return ""
}

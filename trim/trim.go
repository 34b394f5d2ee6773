// Package trim bounds a directory of small files that rex keeps across
// compiles beside its local cache, whose size is bounded on its own: the
// records `rex explain` reads and the directory reads kept for later
// compiles. Every so often the least recently written files go, until the
// rest fit well under the bound. A file removed costs a miss (a key to
// compare against, a directory read again), never a wrong answer.
package trim

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
)

// Sometimes trims dir to limit bytes (see Dir) on one call in every, at
// random: the walk costs a stat per file, spread over that many writes.
func Sometimes(dir string, limit int64, every int) {
	if every <= 1 || rand.IntN(every) == 0 {
		Dir(dir, limit)
	}
}

// Dir removes the least recently written files directly in dir when they
// hold more than limit bytes, until they hold at most three quarters of
// it, so that the next trim is many writes away. Many processes may trim
// at once: a file another one removed first is skipped.
func Dir(dir string, limit int64) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		name  string
		size  int64
		mtime int64
	}
	files := make([]file, 0, len(entries))
	var total int64
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		files = append(files, file{e.Name(), info.Size(), info.ModTime().UnixNano()})
		total += info.Size()
	}
	if total <= limit {
		return
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mtime < files[j].mtime })
	for _, f := range files {
		if total <= limit/4*3 {
			return
		}
		os.Remove(filepath.Join(dir, f.name))
		total -= f.size
	}
}

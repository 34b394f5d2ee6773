package cas

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rexbuild/rex/digest"
)

// load rebuilds the index from the files on disk, blobs and action results
// together, newest mtime first. Files whose names or sizes do not fit the
// layout are removed, and so, after an unclean shutdown (verify), are blobs
// whose content does not fit their name.
func (s *diskStore) load(verify bool) error {
	type found struct {
		e     entryKey
		size  int64
		mtime time.Time
	}
	var all []found
	for _, area := range []string{"cas", "ac"} {
		for _, f := range digest.Functions {
			root := filepath.Join(s.dir, area, f.Name())
			err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				if err != nil || d.IsDir() {
					return err
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				e, ok := entryFromName(f, area == "ac", d.Name())
				if !ok || !info.Mode().IsRegular() || s.entryPath(e) != p || (!e.result && info.Size() != e.Digest.Size) ||
					(verify && !e.result && damaged(e.Key, p)) {
					return os.Remove(p)
				}
				all = append(all, found{e, info.Size(), info.ModTime()})
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mtime.After(all[j].mtime) })
	for _, f := range all {
		s.idx.addOldest(f.e, f.size, f.mtime)
	}
	return nil
}

// entryFromName parses "{hash}-{size}", with "-{instance tag}" for results
// of a named instance.
func entryFromName(f digest.Function, result bool, name string) (entryKey, bool) {
	parts := strings.Split(name, "-")
	if len(parts) < 2 || len(parts) > 3 || (len(parts) == 3 && (!result || parts[2] == "")) {
		return entryKey{}, false
	}
	d, err := digest.Parse(parts[0] + "/" + parts[1])
	if err != nil {
		return entryKey{}, false
	}
	e := entryKey{result: result, Key: Key{Function: f, Digest: d}}
	if len(parts) == 3 {
		e.instance = parts[2]
	}
	return e, true
}

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

// load rebuilds the index from the files on disk, newest mtime first.
// Files whose names or sizes do not fit the layout are removed.
func (s *diskStore) load() error {
	type found struct {
		k     Key
		mtime time.Time
	}
	var all []found
	for _, f := range digest.Functions {
		root := filepath.Join(s.dir, "cas", f.Name())
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
			k, ok := keyFromName(f, d.Name())
			if !ok || !info.Mode().IsRegular() || info.Size() != k.Digest.Size || s.path(k) != p {
				return os.Remove(p)
			}
			all = append(all, found{k, info.ModTime()})
			return nil
		})
		if err != nil {
			return err
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mtime.After(all[j].mtime) })
	for _, f := range all {
		s.idx.addOldest(f.k, f.mtime)
	}
	return nil
}

func keyFromName(f digest.Function, name string) (Key, bool) {
	hash, size, ok := strings.Cut(name, "-")
	if !ok {
		return Key{}, false
	}
	d, err := digest.Parse(hash + "/" + size)
	if err != nil {
		return Key{}, false
	}
	return Key{Function: f, Digest: d}, true
}

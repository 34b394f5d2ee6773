//go:build !linux

package worker

import (
	"io/fs"
	"path/filepath"
)

// treeBytes is the size of the files under root: what an action left there
// for the disk quota. A file being removed meanwhile counts as nothing.
func treeBytes(root string) (int64, error) {
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err == nil {
			total += fi.Size()
		}
		return nil
	})
	return total, err
}

package worker

import (
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// treeBytes is the size of the files under root: what an action left there
// for the disk quota. A file being removed meanwhile counts as nothing.
// Symbolic links are not followed.
func treeBytes(root string) (int64, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	return dirBytes(fd, root)
}

// dirBytes sums the files under the open directory fd, which it closes. It
// stats each file relative to its directory: a stat by path would resolve
// every directory from the root again, for each of an input root's
// hundreds of files.
func dirBytes(fd int, path string) (int64, error) {
	dir := os.NewFile(uintptr(fd), path)
	defer dir.Close()
	entries, err := dir.ReadDir(-1)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, e := range entries {
		switch {
		case e.Type().IsRegular():
			var st unix.Stat_t
			if unix.Fstatat(fd, e.Name(), &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
				total += st.Size
			}
		case e.IsDir():
			sub, err := unix.Openat(fd, e.Name(), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err != nil {
				return 0, &fs.PathError{Op: "open", Path: filepath.Join(path, e.Name()), Err: err}
			}
			n, err := dirBytes(sub, filepath.Join(path, e.Name()))
			if err != nil {
				return 0, err
			}
			total += n
		}
	}
	return total, nil
}

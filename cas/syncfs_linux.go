package cas

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes every file of the file system that holds dir.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}

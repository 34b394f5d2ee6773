package worker

import (
	"os"
	"path/filepath"
	"testing"
)

// The quota counts every regular file under the root, at any depth, and
// nothing a symbolic link points to.
func TestTreeBytesCountsFilesNotLinks(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	outside := filepath.Join(t.TempDir(), "big")
	os.WriteFile(outside, make([]byte, 1000), 0o644)
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(root, "top"), make([]byte, 3), 0o644)
	os.WriteFile(filepath.Join(root, "a", "b", "deep"), make([]byte, 40), 0o644)
	os.Symlink(outside, filepath.Join(root, "a", "link"))
	os.Symlink(filepath.Dir(outside), filepath.Join(root, "dirlink"))
	n, err := treeBytes(root)
	if err != nil || n != 43 {
		t.Errorf("treeBytes = %d, %v; want 43", n, err)
	}
}

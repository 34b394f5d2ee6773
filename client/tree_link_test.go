package client

import (
	"os"
	"path/filepath"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/digest"
)

// TestBuildTreeSymlinksAndKnownDigests: a symlink input becomes a
// SymlinkNode, a file with a known digest is not read again, and a path
// through a symlink or a name taken twice is refused.
func TestBuildTreeSymlinksAndKnownDigests(t *testing.T) {
	src := filepath.Join(t.TempDir(), "big")
	os.WriteFile(src, []byte("content"), 0o644)
	known := digest.SHA256.FromBytes([]byte("what the capture hashed"))
	root, blobs, err := BuildTree(digest.SHA256, []Input{
		{Path: "usr/lib/libc.so.6", Source: src, Digest: known},
		{Path: "lib", Symlink: "usr/lib"},
	})
	if err != nil {
		t.Fatal(err)
	}
	usr, _ := mustMessage(t, &repb.Directory{Files: []*repb.FileNode{{Name: "libc.so.6", Digest: known.Proto()}}})
	usrDir, _ := mustMessage(t, &repb.Directory{Directories: []*repb.DirectoryNode{{Name: "lib", Digest: usr.Proto()}}})
	want, _ := mustMessage(t, &repb.Directory{
		Symlinks:    []*repb.SymlinkNode{{Name: "lib", Target: "usr/lib"}},
		Directories: []*repb.DirectoryNode{{Name: "usr", Digest: usrDir.Proto()}},
	})
	if root != want {
		t.Errorf("root %s, want %s", root, want)
	}
	found := false
	for _, b := range blobs {
		found = found || b.Digest == known && b.Path == src
	}
	if !found {
		t.Error("the file with a known digest is not among the blobs, by its path")
	}
	for _, bad := range [][]Input{
		{{Path: "lib", Symlink: "usr/lib"}, {Path: "lib/x", Data: []byte("x")}},
		{{Path: "lib", Symlink: "a"}, {Path: "lib", Symlink: "b"}},
		{{Path: "lib", Data: []byte("x")}, {Path: "lib", Symlink: "b"}},
		{{Path: "lib/x", Data: []byte("x")}, {Path: "lib", Symlink: "b"}},
	} {
		if _, _, err := BuildTree(digest.SHA256, bad); err == nil {
			t.Errorf("BuildTree(%v) accepted a clash", bad)
		}
	}
}

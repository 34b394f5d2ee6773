package toolchain

import (
	"encoding/json"
	"os"

	"github.com/rexbuild/rex/digest"
)

// Tree is a toolchain captured for hermetic execution: every file the
// programs of a compile need to start and run, at the absolute paths they
// are found by here, with the symlinks on the way. A worker that runs the
// action with the input root as its "/" then needs no compiler of its own,
// and the tree's digest names the compiler exactly: two machines whose
// toolchains are byte-identical share it whoever installed them.
type Tree struct {
	Function string `json:"function"`
	// Root is the digest of the tree alone, the compile's compiler identity.
	Root  string            `json:"root"`
	Files []File            `json:"files"`
	Links map[string]string `json:"links"`
	// Absent are files a program reads when they exist (gcc's specs, a
	// distribution's release file): one appearing means capturing again.
	Absent []string `json:"absent"`
}

// File is a regular file of a captured toolchain, at its real path.
type File struct {
	Path   string        `json:"path"`
	Digest digest.Digest `json:"digest"`
	Exec   bool          `json:"exec"`
	Stat   string        `json:"stat"`
}

// loadTree returns the tree saved in file if it still describes this
// machine: same function, every file with its stat data, every symlink
// with its target, every absent file absent. Checking costs a stat per
// file, not a hash.
func loadTree(file string, fn digest.Function) *Tree {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var t Tree
	if json.Unmarshal(data, &t) != nil || t.Function != fn.Name() || t.Root == "" || len(t.Files) == 0 {
		return nil
	}
	for _, f := range t.Files {
		st, err := os.Stat(f.Path)
		if err != nil || statKey(st) != f.Stat {
			return nil
		}
	}
	for p, target := range t.Links {
		if got, err := os.Readlink(p); err != nil || got != target {
			return nil
		}
	}
	for _, p := range t.Absent {
		if _, err := os.Lstat(p); err == nil {
			return nil
		}
	}
	return &t
}

// Size is the bytes of the tree's files.
func (t *Tree) Size() int64 {
	var n int64
	for _, f := range t.Files {
		n += f.Digest.Size
	}
	return n
}

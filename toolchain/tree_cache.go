package toolchain

import (
	"encoding/json"
	"os"

	"github.com/rexbuild/rex/digest"
)

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

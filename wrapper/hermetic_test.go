package wrapper

import (
	"errors"
	"strings"
	"testing"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// TestHermeticRoot: the hermetic input root holds the captured toolchain
// at its absolute paths, the project under hermeticRoot and an empty /tmp;
// a toolchain where a hermetic worker mounts its own /tmp, /dev or /proc
// keeps the compile local.
func TestHermeticRoot(t *testing.T) {
	d := digest.SHA256.FromBytes([]byte("cc1"))
	tree := &toolchain.Tree{Files: []toolchain.File{{Path: "/usr/lib/gcc/cc1", Digest: d, Exec: true}},
		Links: map[string]string{"/lib": "usr/lib"}}
	set := inputSet{tree: []client.Input{{Path: "src/a.c", Data: []byte("int a;")}}}
	if err := set.hermeticInputs(tree); err != nil {
		t.Fatal(err)
	}
	got := map[string]client.Input{}
	for _, in := range set.tree {
		got[in.Path] = in
	}
	for path, ok := range map[string]bool{
		"rex/root/src/a.c": got["rex/root/src/a.c"].Data != nil,
		"usr/lib/gcc/cc1":  got["usr/lib/gcc/cc1"].Digest == d && got["usr/lib/gcc/cc1"].Executable,
		"lib":              got["lib"].Symlink == "usr/lib",
		"tmp":              got["tmp"].IsDir,
	} {
		if !ok {
			t.Errorf("%s: got %+v", path, got[path])
		}
	}
	if _, _, err := client.BuildTree(digest.SHA256, set.tree); err != nil {
		t.Errorf("the hermetic root is not a tree: %v", err)
	}
	for _, own := range []string{"/tmp/gcc/cc1", "/proc/x", "/dev/cc1"} {
		bad := &toolchain.Tree{Files: []toolchain.File{{Path: own, Digest: d}}}
		var set inputSet
		if err := set.hermeticInputs(bad); !errors.Is(err, errLocal) || !strings.Contains(err.Error(), own[1:]) {
			t.Errorf("a toolchain file at %s: %v, want a local compile naming it", own, err)
		}
	}
}

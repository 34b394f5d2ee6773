package worker

import (
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/digest"
)

// A small DAG naming one Directory twice at each of 30 levels would lay out
// 2^30 directories: it is refused before anything is written.
func TestInputTreeBombRefused(t *testing.T) {
	dirs := map[digest.Digest]*repb.Directory{}
	leaf := &repb.Directory{}
	d, _, _ := digest.SHA256.FromMessage(leaf)
	dirs[d] = leaf
	for range 30 {
		next := &repb.Directory{Directories: []*repb.DirectoryNode{
			{Name: "a", Digest: d.Proto()}, {Name: "b", Digest: d.Proto()}}}
		d, _, _ = digest.SHA256.FromMessage(next)
		dirs[d] = next
	}
	if n := countNodes(dirs, d, map[digest.Digest]int{}); n <= maxInputNodes {
		t.Fatalf("counted %d nodes", n)
	}
}

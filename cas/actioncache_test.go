package cas

import (
	"context"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
)

func newAC(t *testing.T, blobs BlobStore) ActionCache {
	t.Helper()
	return NewActionCache(blobs)
}

// openDiskAC opens a disk store and its action cache under dir.
func openDiskAC(t *testing.T, dir string, max int64) (BlobStore, ActionCache) {
	t.Helper()
	d, err := OpenDisk(dir, DiskOptions{MaxSize: max})
	if err != nil {
		t.Fatal(err)
	}
	return d.Blobs(), d.ActionCache()
}

func actionKey(name string) ActionKey {
	return ActionKey{Key: keyFor(digest.SHA256, []byte("action "+name))}
}

func resultWithFile(path string, k Key) *repb.ActionResult {
	return &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: path, Digest: k.Digest.Proto()}}}
}

func TestActionCachePutValidatesPaths(t *testing.T) {
	blobs := NewMemoryStore()
	ac := newAC(t, blobs)
	out := put(t, blobs, digest.SHA256, "object code")
	for _, p := range []string{"../x", "a/../../x", "/abs/x.o", ""} {
		err := ac.Put(context.Background(), actionKey(p), resultWithFile(p, out))
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("Put with output path %q: %v, want InvalidArgument", p, err)
		}
	}
	dirs := &repb.ActionResult{OutputDirectories: []*repb.OutputDirectory{{Path: "/tmp/out", TreeDigest: out.Digest.Proto()}}}
	if err := ac.Put(context.Background(), actionKey("dir"), dirs); status.Code(err) != codes.InvalidArgument {
		t.Errorf("Put with absolute output directory: %v", err)
	}
	bad := &repb.ActionResult{StdoutDigest: &repb.Digest{Hash: "xyz", SizeBytes: 1}}
	if err := ac.Put(context.Background(), actionKey("bad"), bad); status.Code(err) != codes.InvalidArgument {
		t.Errorf("Put with malformed stdout digest: %v", err)
	}
	if err := ac.Put(context.Background(), actionKey("ok"), resultWithFile("obj/a.o", out)); err != nil {
		t.Errorf("Put of a good result: %v", err)
	}
}

func TestActionCachePutNeedsBlobs(t *testing.T) {
	blobs := NewMemoryStore()
	ac := newAC(t, blobs)
	absent := keyFor(digest.SHA256, []byte("never uploaded"))
	for name, r := range map[string]*repb.ActionResult{
		"file":   resultWithFile("a.o", absent),
		"stderr": {StderrDigest: absent.Digest.Proto()},
		"tree":   {OutputDirectories: []*repb.OutputDirectory{{Path: "d", TreeDigest: absent.Digest.Proto()}}},
	} {
		if err := ac.Put(context.Background(), actionKey(name), r); status.Code(err) != codes.FailedPrecondition {
			t.Errorf("%s: Put referencing a missing blob: %v, want FailedPrecondition", name, err)
		}
	}
	// A tree that is present but lists a missing file is refused too.
	tree := treeBlob(t, blobs, absent)
	r := &repb.ActionResult{OutputDirectories: []*repb.OutputDirectory{{Path: "d", TreeDigest: tree.Digest.Proto()}}}
	if err := ac.Put(context.Background(), actionKey("inner"), r); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("Put with tree whose file is missing: %v, want FailedPrecondition", err)
	}
}

// treeBlob stores a Tree whose root holds one file with digest k.
func treeBlob(t *testing.T, blobs BlobStore, k Key) Key {
	t.Helper()
	tree := &repb.Tree{Root: &repb.Directory{Files: []*repb.FileNode{{Name: "f", Digest: k.Digest.Proto()}}}}
	b, err := proto.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	return put(t, blobs, digest.SHA256, string(b))
}

func TestActionCacheSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	blobs, ac := openDiskAC(t, dir, 0)
	out := put(t, blobs, digest.SHA256, "object code")
	if err := ac.Put(context.Background(), actionKey("a"), resultWithFile("a.o", out)); err != nil {
		t.Fatal(err)
	}
	_, ac = openDiskAC(t, dir, 0)
	r, err := ac.Get(context.Background(), actionKey("a"))
	if err != nil || r.GetOutputFiles()[0].GetPath() != "a.o" {
		t.Errorf("after reopen Get = %v, %v", r, err)
	}
	if _, err := ac.Get(context.Background(), actionKey("b")); status.Code(err) != codes.NotFound {
		t.Errorf("Get of unknown action: %v, want NotFound", err)
	}
}

// With room for 300 bytes: a result's output (a file inside an output tree)
// is refreshed by every hit, so an unrelated newer blob is evicted first;
// once the file inside the tree is evicted anyway, the result is a miss.
func TestActionCacheRefreshesAndMissesOnEviction(t *testing.T) {
	dir := t.TempDir()
	r0 := &repb.ActionResult{OutputDirectories: []*repb.OutputDirectory{{Path: "d", TreeDigest: keyFor(digest.SHA256, nil).Digest.Proto()}}}
	resultSize := int64(proto.Size(r0)) // the result counts toward the bound too
	blobs, ac := openDiskAC(t, dir, 300+resultSize)
	ctx := context.Background()
	out := put(t, blobs, digest.SHA256, string(make([]byte, 100)))
	tree := treeBlob(t, blobs, out) // small: ~80 bytes
	r := &repb.ActionResult{OutputDirectories: []*repb.OutputDirectory{{Path: "d", TreeDigest: tree.Digest.Proto()}}}
	if err := ac.Put(ctx, actionKey("a"), r); err != nil {
		t.Fatal(err)
	}
	filler := func(c byte) Key { return put(t, blobs, digest.SHA256, string(bytesOf(c, 100))) }
	x := filler('x') // order, newest first: x tree out
	if _, err := ac.Get(ctx, actionKey("a")); err != nil {
		t.Fatalf("Get: %v", err)
	}
	// The hit refreshed tree and out: order out tree x. Adding y must evict x.
	filler('y')
	if onDisk(blobs, x) || !onDisk(blobs, out) || !onDisk(blobs, tree) {
		t.Fatalf("hit did not refresh: x %v out %v tree %v", onDisk(blobs, x), onDisk(blobs, out), onDisk(blobs, tree))
	}
	// Order y out tree. Reading the tree alone leaves out least recent,
	// so z evicts the file inside the tree but not the tree itself.
	get(t, blobs, tree, 0)
	filler('z')
	if onDisk(blobs, out) || !onDisk(blobs, tree) {
		t.Fatalf("want only out evicted: out %v tree %v", onDisk(blobs, out), onDisk(blobs, tree))
	}
	if _, err := ac.Get(ctx, actionKey("a")); status.Code(err) != codes.NotFound {
		t.Errorf("Get with evicted output: %v, want NotFound", err)
	}
}

func bytesOf(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

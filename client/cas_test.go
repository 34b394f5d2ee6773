package client

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
)

func blobOf(data []byte) Blob { return Blob{Digest: digest.SHA256.FromBytes(data), Data: data} }

func TestUploadOnlyMissingSplitsBatchesAndStreamsBig(t *testing.T) {
	f := newFake()
	f.caps.CacheCapabilities.MaxBatchTotalSizeBytes = 64 << 10
	c := f.start(t, Config{Instance: "main"})
	ctx := context.Background()
	if _, err := c.Capabilities(ctx); err != nil { // learn the 64 KiB limit
		t.Fatal(err)
	}
	present := f.put([]byte("already there"))
	var blobs []Blob
	for i := range 10 {
		blobs = append(blobs, blobOf(bytes.Repeat([]byte{byte(i)}, 20<<10)))
	}
	big := blobOf(bytes.Repeat([]byte("big"), 1<<20)) // 3 MiB: ByteStream, 3+ chunks
	blobs = append(blobs, big, blobs[0], Blob{Digest: present, Data: []byte("already there")}, blobOf(nil))
	if err := c.Upload(ctx, blobs); err != nil {
		t.Fatal(err)
	}
	if len(f.findMissing) != 1 || len(f.findMissing[0]) != 12 {
		t.Errorf("FindMissing asked %v, want one call with the 12 distinct non-empty digests", f.findMissing)
	}
	var batched int
	for _, b := range f.batchUpdates {
		batched += len(b)
		if len(b) > 3 { // 3 x 20 KiB + overhead fits 64 KiB - 1 KiB, 4 does not
			t.Errorf("batch of %d blobs exceeds the limit", len(b))
		}
		for _, d := range b {
			if d == present {
				t.Errorf("uploaded %s, which the server had", d)
			}
		}
	}
	if batched != 10 || len(f.batchUpdates) < 4 {
		t.Errorf("batched %d blobs in %d requests, want 10 in >= 4", batched, len(f.batchUpdates))
	}
	if len(f.writes) != 1 || f.writes[0] != big.Digest {
		t.Errorf("ByteStream writes %v, want just %s", f.writes, big.Digest)
	}
	for _, b := range blobs {
		if got, ok := f.get(b.Digest); b.Digest.Size > 0 && (!ok || !bytes.Equal(got, b.Data)) {
			t.Errorf("blob %s not stored", b.Digest)
		}
	}
	for _, inst := range f.instances {
		if inst != "main" {
			t.Errorf("request with instance %q", inst)
		}
	}
}

func TestUploadFromFileDetectsChange(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	path := filepath.Join(t.TempDir(), "in.c")
	os.WriteFile(path, []byte("old"), 0o644)
	d, _ := digest.SHA256.FromFile(path)
	os.WriteFile(path, []byte("new"), 0o644)
	err := c.Upload(context.Background(), []Blob{{Digest: d, Path: path}})
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("upload of a changed file: %v, want FailedPrecondition", err)
	}
	if _, ok := f.get(d); ok {
		t.Fatal("changed file stored under its old digest")
	}
}

func TestUploadRetriesTransientBlobOnly(t *testing.T) {
	f := newFake()
	flaky, ok := blobOf([]byte("flaky")), blobOf([]byte("fine"))
	f.updateStatus = func(d digest.Digest, n int) codes.Code {
		if d == flaky.Digest && n == 1 {
			return codes.Unavailable
		}
		return codes.OK
	}
	c := f.start(t, Config{})
	if err := c.Upload(context.Background(), []Blob{flaky, ok}); err != nil {
		t.Fatal(err)
	}
	if len(f.batchUpdates) != 2 || len(f.batchUpdates[1]) != 1 || f.batchUpdates[1][0] != flaky.Digest {
		t.Fatalf("batches %v: want the flaky blob alone in a second request", f.batchUpdates)
	}
}

func TestUploadSurfacesPermanentBlobError(t *testing.T) {
	f := newFake()
	bad := blobOf([]byte("bad"))
	f.updateStatus = func(d digest.Digest, n int) codes.Code {
		if d == bad.Digest {
			return codes.PermissionDenied
		}
		return codes.OK
	}
	c := f.start(t, Config{})
	err := c.Upload(context.Background(), []Blob{bad, blobOf([]byte("good"))})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("err = %v, want PermissionDenied", err)
	}
	if f.updateCount[bad.Digest] != 1 {
		t.Fatalf("permanent error retried: %d attempts", f.updateCount[bad.Digest])
	}
}

func TestReadBlobsVerifies(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	ctx := context.Background()
	small := f.put([]byte("small"))
	big := f.put(bytes.Repeat([]byte("B"), 5<<20))
	missing := digest.SHA256.FromBytes([]byte("absent"))
	got, err := c.ReadBlobs(ctx, []digest.Digest{small, big, small, digest.SHA256.Empty()})
	if err != nil {
		t.Fatal(err)
	}
	if string(got[small]) != "small" || len(got[big]) != 5<<20 || got[digest.SHA256.Empty()] == nil {
		t.Fatalf("ReadBlobs returned wrong content")
	}
	if len(f.reads) != 1 || f.reads[0] != big {
		t.Errorf("ByteStream reads %v, want only the big blob", f.reads)
	}
	if _, err := c.ReadBlob(ctx, missing); status.Code(err) != codes.NotFound {
		t.Errorf("missing blob: %v, want NotFound", err)
	}
	f.corrupt[small], f.corrupt[big] = true, true
	for _, d := range []digest.Digest{small, big} {
		if _, err := c.ReadBlob(ctx, d); status.Code(err) != codes.DataLoss {
			t.Errorf("corrupt %s: %v, want DataLoss", d, err)
		}
	}
}

func TestDownloadFileCorruptWritesNothing(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	ctx := context.Background()
	for _, size := range []int{10, 6 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			d := f.put(bytes.Repeat([]byte("c"), size))
			dir := t.TempDir()
			out := filepath.Join(dir, "tool")
			if err := c.DownloadFile(ctx, d, out, true); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(out); err != nil || fi.Size() != int64(size) || fi.Mode().Perm() != atomicfile.OutputMode(true) {
				t.Fatalf("downloaded file: %v %v", fi, err)
			}
			f.corrupt[d] = true
			out2 := filepath.Join(dir, "obj.o")
			if err := c.DownloadFile(ctx, d, out2, false); status.Code(err) != codes.DataLoss {
				t.Fatalf("corrupt download: %v, want DataLoss", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Fatalf("files left after a failed download: %v", entries)
			}
		})
	}
}

func putDir(t *testing.T, f *fakeServer, d *repb.Directory) *repb.Digest {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return f.put(b).Proto()
}

func TestGetTreePagesAndFallsBack(t *testing.T) {
	f := newFake()
	leaf := putDir(t, f, &repb.Directory{Files: []*repb.FileNode{{Name: "f", Digest: f.put([]byte("f")).Proto()}}})
	mid := putDir(t, f, &repb.Directory{Directories: []*repb.DirectoryNode{{Name: "l1", Digest: leaf}}})
	other := putDir(t, f, &repb.Directory{Symlinks: []*repb.SymlinkNode{{Name: "s", Target: "x"}}})
	rootp := putDir(t, f, &repb.Directory{Directories: []*repb.DirectoryNode{{Name: "m", Digest: mid}, {Name: "o", Digest: other}}})
	root, _ := digest.FromProto(rootp)
	c := f.start(t, Config{})
	for _, noGetTree := range []bool{false, true} {
		f.noGetTree = noGetTree
		dirs, err := c.GetTree(context.Background(), root)
		if err != nil {
			t.Fatalf("noGetTree=%v: %v", noGetTree, err)
		}
		if len(dirs) != 4 {
			t.Fatalf("noGetTree=%v: got %d directories, want 4", noGetTree, len(dirs))
		}
	}
	bad := putDir(t, f, &repb.Directory{Files: []*repb.FileNode{{Name: "..", Digest: leaf}}})
	bd, _ := digest.FromProto(bad)
	if _, err := c.GetTree(context.Background(), bd); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("tree with '..': %v, want InvalidArgument", err)
	}
}

// TestBatchLimitLearnedOnRefusal: without a Capabilities call up front, a
// server with a smaller batch limit refuses the first batch; the client then
// asks Capabilities once and splits under the advertised limit.
func TestBatchLimitLearnedOnRefusal(t *testing.T) {
	f := newFake()
	f.caps.CacheCapabilities.MaxBatchTotalSizeBytes = 64 << 10
	c := f.start(t, Config{})
	ctx := context.Background()
	var blobs []Blob
	var ds []digest.Digest
	for i := range 10 {
		b := blobOf(bytes.Repeat([]byte{byte(i)}, 20<<10))
		blobs, ds = append(blobs, b), append(ds, b.Digest)
	}
	if err := c.Upload(ctx, blobs); err != nil {
		t.Fatal(err)
	}
	if f.refused != 1 || f.capsCalls != 1 {
		t.Errorf("%d refused batches and %d Capabilities calls, want 1 and 1", f.refused, f.capsCalls)
	}
	c2 := f.start(t, Config{}) // a fresh client learns again, on reads
	if _, err := c2.ReadBlobs(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if f.refused != 2 || f.capsCalls != 2 {
		t.Errorf("%d refused batches and %d Capabilities calls, want 2 and 2", f.refused, f.capsCalls)
	}
	for _, b := range append(f.batchUpdates, f.batchReads...) {
		if len(b) > 3 {
			t.Errorf("batch of %d blobs after learning the limit", len(b))
		}
	}
}

// TestStreamUploadFromFile sends a big file over ByteStream and refuses one
// that changed since it was digested, before committing it.
func TestStreamUploadFromFile(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	path := filepath.Join(t.TempDir(), "big.o")
	data := bytes.Repeat([]byte("0123456789"), 600<<10) // 6 MiB
	os.WriteFile(path, data, 0o644)
	d := digest.SHA256.FromBytes(data)
	if err := c.Upload(context.Background(), []Blob{{Digest: d, Path: path}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.get(d); !bytes.Equal(got, data) || len(f.writes) != 1 {
		t.Fatal("big file not streamed intact")
	}
	data[len(data)-1] = 'x' // same size, different last chunk
	os.WriteFile(path, data, 0o644)
	changed := Blob{Digest: digest.SHA256.FromBytes(bytes.Repeat([]byte("9876543210"), 600<<10)), Path: path}
	if err := c.Upload(context.Background(), []Blob{changed}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("changed file: %v, want FailedPrecondition", err)
	}
	if _, ok := f.get(changed.Digest); ok || len(f.writes) != 1 {
		t.Fatal("changed file committed")
	}
}

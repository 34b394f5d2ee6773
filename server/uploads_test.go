package server

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// An upload that stalls for Limits.UploadIdle is ended with
// DEADLINE_EXCEEDED and its temp file deleted.
func TestUploadIdleExpires(t *testing.T) {
	e := start(t, nil, Options{Limits: Limits{UploadIdle: 200 * time.Millisecond}})
	d := digest.SHA256.FromBytes([]byte("ab"))
	name := digest.WriteName("", "u1", digest.SHA256, d, "")
	stream, err := e.bs.Write(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&bspb.WriteRequest{ResourceName: name, Data: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	// RecvMsg waits for the answer without half-closing, as a stalled
	// client does.
	if err := stream.RecvMsg(&bspb.WriteResponse{}); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("stalled upload: %v, want DeadlineExceeded", err)
	}
	if left, _ := os.ReadDir(e.uploads); len(left) != 0 {
		t.Errorf("upload files left after the idle timeout: %v", left)
	}
	q, err := e.bs.QueryWriteStatus(context.Background(), &bspb.QueryWriteStatusRequest{ResourceName: name})
	if err != nil || q.GetCommittedSize() != 0 {
		t.Errorf("QueryWriteStatus after expiry = %v, %v; want 0", q, err)
	}
}

// A partial upload whose stream ended without finish_write is kept for a
// resume, and deleted once nobody resumed it for Limits.UploadIdle.
func TestAbandonedUploadExpires(t *testing.T) {
	e := start(t, nil, Options{Limits: Limits{UploadIdle: 100 * time.Millisecond}})
	d := digest.SHA256.FromBytes([]byte("ab"))
	name := digest.WriteName("", "u1", digest.SHA256, d, "")
	if _, err := write(context.Background(), e, name, []byte("a"), 0, false); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("partial upload: %v, want InvalidArgument (no finish_write)", err)
	}
	for {
		q, err := e.bs.QueryWriteStatus(context.Background(), &bspb.QueryWriteStatusRequest{ResourceName: name})
		if err != nil {
			t.Fatal(err)
		}
		if q.GetCommittedSize() == 0 {
			break // expired
		}
		time.Sleep(10 * time.Millisecond)
	}
	if left, _ := os.ReadDir(e.uploads); len(left) != 0 {
		t.Errorf("upload files left after expiry: %v", left)
	}
}

// Beyond Limits.MaxUploads partial uploads a new one is RESOURCE_EXHAUSTED,
// and a partial upload holds no open file once its stream is gone.
func TestMaxUploads(t *testing.T) {
	e := start(t, nil, Options{Limits: Limits{MaxUploads: 2}})
	for i, uuid := range []string{"u1", "u2", "u3"} {
		d := digest.SHA256.FromBytes([]byte("two bytes " + uuid))
		_, err := write(context.Background(), e, digest.WriteName("", uuid, digest.SHA256, d, ""), []byte("t"), 0, false)
		want := codes.InvalidArgument // ended without finish_write, kept
		if i == 2 {
			want = codes.ResourceExhausted
		}
		if status.Code(err) != want {
			t.Errorf("partial upload %d: %v, want %v", i+1, err, want)
		}
	}
	if n := openFilesUnder(t, e.uploads); n != 0 {
		t.Errorf("%d upload files open with no stream writing them", n)
	}
}

// openFilesUnder counts this process's descriptors open on files in dir.
func openFilesUnder(t *testing.T, dir string) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, fd := range fds {
		if p, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && filepath.Dir(p) == dir {
			n++
		}
	}
	return n
}

// Partial uploads count toward the store's bound: a blob they crowd out is
// evicted, and an upload that would take them past the bound is refused
// and dropped, leaving room for the others.
func TestUploadsCountTowardStore(t *testing.T) {
	disk, err := cas.OpenDisk(t.TempDir(), cas.DiskOptions{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, disk.Blobs(), Options{Limits: Limits{UploadSpace: disk}})
	old := putBlob(t, e, string(randomBytes(700<<10)))
	data := randomBytes(800 << 10)
	d := digest.SHA256.FromBytes(data)
	_, err = write(context.Background(), e, digest.WriteName("", "u1", digest.SHA256, d, ""), data[:400<<10], 0, false)
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("400 KiB partial upload: %v, want InvalidArgument (no finish_write)", err)
	}
	if missing, _ := disk.Blobs().FindMissing(context.Background(), []cas.Key{{Function: digest.SHA256, Digest: old}}); len(missing) != 1 {
		t.Error("a 700 KiB blob survived 400 KiB of uploads in a 1 MiB store")
	}
	_, err = write(context.Background(), e, digest.WriteName("", "u2", digest.SHA256, d, ""), data[:700<<10], 0, false)
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("uploads past the store's bound: %v, want ResourceExhausted", err)
	}
	resp, err := write(context.Background(), e, digest.WriteName("", "u1", digest.SHA256, d, ""), data[400<<10:], 400<<10, true)
	if err != nil || resp.GetCommittedSize() != d.Size {
		t.Errorf("finishing the first upload: %v, %v", resp, err)
	}
}

// Partial uploads left by an earlier run are deleted at start-up.
func TestUploadDirCleanedAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "uploads")
	os.MkdirAll(dir, 0o755)
	orphan := filepath.Join(dir, "rex-upload-123")
	if err := os.WriteFile(orphan, []byte("half a blob"), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, nil, Options{UploadDir: dir})
	if _, err := os.Stat(orphan); err == nil {
		t.Error("orphaned upload survived a restart")
	}
}

// fullStore fails every write as a full disk does.
type fullStore struct{ cas.BlobStore }

func (fullStore) Put(ctx context.Context, k cas.Key, r io.Reader) error {
	return cas.StatusWrap(syscall.ENOSPC, "write blob %s", k)
}

// A full disk answers RESOURCE_EXHAUSTED, per blob in a batch and for a
// ByteStream write; reads go on.
func TestFullStoreIsResourceExhausted(t *testing.T) {
	e := start(t, fullStore{cas.NewMemoryStore()}, Options{})
	if got := update(t, e, repb.DigestFunction_SHA256, blob("x")); got[0] != codes.ResourceExhausted {
		t.Errorf("BatchUpdateBlobs on a full disk: %v, want ResourceExhausted", got)
	}
	d := digest.SHA256.FromBytes([]byte("data"))
	_, err := write(context.Background(), e, digest.WriteName("", "u1", digest.SHA256, d, ""), []byte("data"), 0, true)
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("Write on a full disk: %v, want ResourceExhausted", err)
	}
	if _, err := e.cas.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{BlobDigests: []*repb.Digest{d.Proto()}}); err != nil {
		t.Errorf("FindMissingBlobs on a full disk: %v", err)
	}
}

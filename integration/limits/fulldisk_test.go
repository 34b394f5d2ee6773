package limits

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// tmpfs mounts an 8 MiB tmpfs in a temp dir, unmounted when the test ends.
func tmpfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// A store on an 8 MiB disk with --max-size 64MiB: the bound never binds,
// the disk does. Writing 24 MiB of blobs evicts older ones to make room,
// and any write that still finds the disk full is RESOURCE_EXHAUSTED (never
// UNKNOWN or INTERNAL); a 10 MiB upload, larger than the disk, is
// RESOURCE_EXHAUSTED; afterwards the server stores and serves blobs.
func TestFullDiskIsResourceExhausted(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	dir := tmpfs(t)
	srv := testenv.StartServer(t, dir, "--workers", "0", "--max-size", "64MiB")
	conn := dial(t, srv)
	c, bs := repb.NewContentAddressableStorageClient(conn), bspb.NewByteStreamClient(conn)
	counts := map[codes.Code]int{}
	for i := 0; i < 24; i++ {
		data := randomBlob(uint64(100+i), 1<<20)
		resp, err := c.BatchUpdateBlobs(context.Background(), &repb.BatchUpdateBlobsRequest{Requests: []*repb.BatchUpdateBlobsRequest_Request{
			{Digest: digest.SHA256.FromBytes(data).Proto(), Data: data}}})
		if err != nil {
			t.Fatal(err)
		}
		counts[codes.Code(resp.GetResponses()[0].GetStatus().GetCode())]++
	}
	t.Logf("24 batch writes of 1 MiB on an 8 MiB disk: %v", counts)
	if counts[codes.OK]+counts[codes.ResourceExhausted] != 24 || counts[codes.OK] == 0 {
		t.Errorf("outcomes %v: want OK or ResourceExhausted only, and some OK", counts)
	}
	first := digest.SHA256.FromBytes(randomBlob(100, 1<<20)).Proto()
	if m, err := c.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{BlobDigests: []*repb.Digest{first}}); err != nil || len(m.GetMissingBlobDigests()) != 1 {
		t.Errorf("the first blob is still stored on an 8 MiB disk after 24 MiB: %v, %v", m, err)
	}
	err := upload(bs, randomBlob(200, 10<<20))
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("10 MiB upload to an 8 MiB disk: %v, want ResourceExhausted (ENOSPC)", err)
	}
	data := randomBlob(300, 1<<20)
	if err := upload(bs, data); err != nil {
		t.Fatalf("upload after the disk filled: %v", err)
	}
	resp, err := c.BatchReadBlobs(context.Background(), &repb.BatchReadBlobsRequest{Digests: []*repb.Digest{digest.SHA256.FromBytes(data).Proto()}})
	if err != nil || !bytes.Equal(resp.GetResponses()[0].GetData(), data) {
		t.Errorf("read back after the disk filled: %v", err)
	}
	if n := countFiles(filepath.Join(dir, "uploads")); n != 0 {
		t.Errorf("%d partial upload files left on the full disk", n)
	}
}

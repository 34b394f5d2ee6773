package server

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"github.com/klauspost/compress/zstd"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// readBlob reads a resource whole, failing the test on error.
func readBlob(t *testing.T, e *env, name string, offset, limit int64) string {
	t.Helper()
	b, err := tryRead(e, name, offset, limit)
	if err != nil {
		t.Fatalf("Read %s: %v", name, err)
	}
	return string(b)
}

func tryRead(e *env, name string, offset, limit int64) ([]byte, error) {
	stream, err := e.bs.Read(context.Background(), &bspb.ReadRequest{ResourceName: name, ReadOffset: offset, ReadLimit: limit})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		buf.Write(resp.GetData())
	}
}

// write sends data in chunks starting at offset; finish ends the write.
func write(ctx context.Context, e *env, name string, data []byte, offset int64, finish bool) (*bspb.WriteResponse, error) {
	stream, err := e.bs.Write(ctx)
	if err != nil {
		return nil, err
	}
	const chunk = 64 << 10
	for first := true; first || len(data) > 0; first = false {
		n := min(chunk, len(data))
		req := &bspb.WriteRequest{WriteOffset: offset, Data: data[:n], FinishWrite: finish && n == len(data)}
		if first {
			req.ResourceName = name
		}
		if err := stream.Send(req); err != nil {
			break // the server ended the stream; CloseAndRecv has its answer
		}
		data, offset = data[n:], offset+int64(n)
	}
	return stream.CloseAndRecv()
}

// A blob above the batch limit goes through ByteStream, under an instance
// name, and reads back whole; BatchUpdate refuses it.
func TestByteStreamLargeRoundTrip(t *testing.T) {
	e := start(t, nil, Options{MaxBatchBytes: 64 << 10})
	data := randomBytes(1<<20 + 17)
	d := digest.SHA256.FromBytes(data)
	resp, err := write(context.Background(), e, digest.WriteName("my/instance", "u1", digest.SHA256, d, ""), data, 0, true)
	if err != nil || resp.GetCommittedSize() != d.Size {
		t.Fatalf("Write: %v, %v", resp, err)
	}
	if got := readBlob(t, e, digest.ReadName("my/instance", digest.SHA256, d, ""), 0, 0); got != string(data) {
		t.Error("read back differs")
	}
	if got := readBlob(t, e, digest.ReadName("", digest.SHA256, d, ""), 0, 0); got != string(data) {
		t.Error("read without instance differs")
	}
	if _, err := e.cas.BatchReadBlobs(context.Background(), &repb.BatchReadBlobsRequest{Digests: digestList(d)}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("BatchReadBlobs of a blob above the limit: %v", err)
	}
}

func TestByteStreamReadOffsetLimit(t *testing.T) {
	e := start(t, nil, Options{})
	d := putBlob(t, e, "0123456789")
	name := digest.ReadName("", digest.SHA256, d, "")
	for _, c := range []struct {
		offset, limit int64
		want          string
	}{{0, 0, "0123456789"}, {3, 0, "3456789"}, {3, 4, "3456"}, {8, 100, "89"}, {10, 0, ""}} {
		if got := readBlob(t, e, name, c.offset, c.limit); got != c.want {
			t.Errorf("offset %d limit %d: %q, want %q", c.offset, c.limit, got, c.want)
		}
	}
	if _, err := tryRead(e, name, 11, 0); status.Code(err) != codes.OutOfRange {
		t.Errorf("offset past the end: %v, want OutOfRange", err)
	}
	if _, err := tryRead(e, digest.ReadName("", digest.SHA256, digest.SHA256.FromBytes([]byte("x")), ""), 0, 0); status.Code(err) != codes.NotFound {
		t.Errorf("missing blob: %v, want NotFound", err)
	}
	if _, err := tryRead(e, "blobs/nonsense", 0, 0); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad name: %v, want InvalidArgument", err)
	}
}

func putBlob(t *testing.T, e *env, data string) digest.Digest {
	t.Helper()
	if got := update(t, e, 0, blob(data)); got[0] != codes.OK {
		t.Fatal(got)
	}
	return digest.SHA256.FromBytes([]byte(data))
}

// A stream that drops mid-upload leaves its bytes on the server:
// QueryWriteStatus reports them and a new stream continues from there.
func TestByteStreamResumesAfterDroppedStream(t *testing.T) {
	e := start(t, nil, Options{})
	data := randomBytes(300 << 10)
	d := digest.BLAKE3.FromBytes(data)
	name := digest.WriteName("inst", "u2", digest.BLAKE3, d, "")
	half := int64(len(data) / 2)

	ctx, cancel := context.WithCancel(context.Background())
	stream, err := e.bs.Write(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&bspb.WriteRequest{ResourceName: name, Data: data[:half]}); err != nil {
		t.Fatal(err)
	}
	waitCommitted(t, e, name, half)
	cancel() // the connection drops before finish_write

	q, err := e.bs.QueryWriteStatus(context.Background(), &bspb.QueryWriteStatusRequest{ResourceName: name})
	if err != nil || q.GetCommittedSize() != half || q.GetComplete() {
		t.Fatalf("QueryWriteStatus after drop = %v, %v; want %d incomplete", q, err, half)
	}
	if _, err := write(context.Background(), e, name, data[half:], half+1, true); status.Code(err) != codes.InvalidArgument {
		t.Errorf("resume at the wrong offset: %v, want InvalidArgument", err)
	}
	waitCommitted(t, e, name, half)
	resp, err := write(context.Background(), e, name, data[half:], half, true)
	if err != nil || resp.GetCommittedSize() != d.Size {
		t.Fatalf("resumed Write = %v, %v", resp, err)
	}
	if got := readBlob(t, e, digest.ReadName("", digest.BLAKE3, d, ""), 0, 0); got != string(data) {
		t.Error("resumed blob differs")
	}
	q, err = e.bs.QueryWriteStatus(context.Background(), &bspb.QueryWriteStatusRequest{ResourceName: name})
	if err != nil || !q.GetComplete() || q.GetCommittedSize() != d.Size {
		t.Errorf("QueryWriteStatus after completion = %v, %v", q, err)
	}
	if left, _ := os.ReadDir(e.uploads); len(left) != 0 {
		t.Errorf("partial upload files left after completion: %v", left)
	}
}

func waitCommitted(t *testing.T, e *env, name string, want int64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		q, err := e.bs.QueryWriteStatus(context.Background(), &bspb.QueryWriteStatusRequest{ResourceName: name})
		if err == nil && q.GetCommittedSize() == want {
			return
		}
	}
	t.Fatalf("upload %s never reached %d bytes", name, want)
}

func TestByteStreamWriteExistingCompletesEarly(t *testing.T) {
	e := start(t, nil, Options{})
	d := putBlob(t, e, "already here")
	resp, err := write(context.Background(), e, digest.WriteName("", "u3", digest.SHA256, d, ""), []byte("already"), 0, false)
	if err != nil || resp.GetCommittedSize() != d.Size {
		t.Errorf("Write of a stored blob = %v, %v; want committed_size %d", resp, err, d.Size)
	}
	resp, err = write(context.Background(), e, digest.WriteName("", "u4", digest.SHA256, d, "zstd"), []byte("x"), 0, false)
	if err != nil || resp.GetCommittedSize() != -1 {
		t.Errorf("compressed Write of a stored blob = %v, %v; want -1", resp, err)
	}
}

func TestByteStreamWriteRejectsCorruptData(t *testing.T) {
	e := start(t, nil, Options{})
	d := digest.SHA256.FromBytes([]byte("the real thing"))
	_, err := write(context.Background(), e, digest.WriteName("", "u5", digest.SHA256, d, ""), []byte("a fake content"), 0, true)
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("corrupt Write: %v, want InvalidArgument", err)
	}
	if _, err := tryRead(e, digest.ReadName("", digest.SHA256, d, ""), 0, 0); status.Code(err) != codes.NotFound {
		t.Errorf("corrupt blob readable: %v", err)
	}
}

func TestByteStreamZstd(t *testing.T) {
	e := start(t, nil, Options{})
	data := bytes.Repeat([]byte("zstd round trip "), 20000)
	d := digest.SHA256.FromBytes(data)
	enc, _ := zstd.NewWriter(nil)
	z := enc.EncodeAll(data, nil)
	resp, err := write(context.Background(), e, digest.WriteName("i", "u6", digest.SHA256, d, "zstd"), z, 0, true)
	if err != nil || resp.GetCommittedSize() != int64(len(z)) {
		t.Fatalf("compressed Write = %v, %v (sent %d bytes)", resp, err, len(z))
	}
	if got := readBlob(t, e, digest.ReadName("i", digest.SHA256, d, ""), 0, 0); got != string(data) {
		t.Error("plain read of compressed upload differs")
	}
	dec, _ := zstd.NewReader(nil)
	for _, offset := range []int64{0, 1000} {
		got, err := tryRead(e, digest.ReadName("i", digest.SHA256, d, "zstd"), offset, 0)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := dec.DecodeAll(got, nil)
		if err != nil || !bytes.Equal(plain, data[offset:]) {
			t.Errorf("compressed read at %d: %d bytes, %v", offset, len(plain), err)
		}
	}
	if _, err := tryRead(e, digest.ReadName("i", digest.SHA256, d, "zstd"), 0, 10); status.Code(err) != codes.InvalidArgument {
		t.Errorf("compressed read with a limit: %v, want InvalidArgument", err)
	}
}

// The status code set deep in the store survives the wrapping on the way out.
func TestByteStreamBlobLargerThanStore(t *testing.T) {
	store, err := cas.OpenDiskStore(t.TempDir(), cas.DiskOptions{MaxSize: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, store, Options{})
	data := randomBytes(200 << 10)
	d := digest.SHA256.FromBytes(data)
	_, err = write(context.Background(), e, digest.WriteName("", "u7", digest.SHA256, d, ""), data, 0, true)
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("Write of a blob larger than the store: %v, want ResourceExhausted", err)
	}
}

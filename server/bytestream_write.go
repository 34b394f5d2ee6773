package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// uploadIdle is how long an interrupted upload waits to be resumed.
const uploadIdle = time.Hour

// byteStream is the ByteStream service. Partial uploads are kept in temp
// files by resource name so that a client whose stream dropped can ask
// QueryWriteStatus and continue from committed_size. The blob reaches the
// store only when finish_write arrives, through the verifying store.
type byteStream struct {
	bspb.UnimplementedByteStreamServer
	blobs cas.BlobStore
	opts  Options

	mu      sync.Mutex
	uploads map[string]*upload
}

func newByteStream(blobs cas.BlobStore, opts Options) *byteStream {
	sweepUploadDir(opts.UploadDir)
	return &byteStream{blobs: blobs, opts: opts, uploads: map[string]*upload{}}
}

// sweepUploadDir creates the upload directory and deletes partial uploads
// left by a previous run that nobody touched for uploadIdle. Younger files
// may belong to another server sharing the directory (os.TempDir).
func sweepUploadDir(dir string) {
	os.MkdirAll(dir, 0o755) // if it fails, CreateTemp reports why
	old, _ := filepath.Glob(filepath.Join(dir, uploadPattern))
	for _, p := range old {
		if info, err := os.Stat(p); err == nil && time.Since(info.ModTime()) > uploadIdle {
			os.Remove(p)
		}
	}
}

const uploadPattern = "rex-upload-*"

// upload is one resumable write. Its bytes are as sent: compressed for
// compressed-blobs names.
type upload struct {
	busy      chan struct{} // held by the one stream writing it
	file      *os.File
	committed atomic.Int64
	lastUsed  time.Time // guarded by byteStream.mu
}

func (b *byteStream) Write(stream bspb.ByteStream_WriteServer) error {
	ctx := stream.Context()
	msg, err := stream.Recv()
	if err != nil {
		return err
	}
	name := msg.GetResourceName()
	res, err := digest.ParseWriteName(name)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "%v", err)
	}
	k := cas.Key{Function: res.Function, Digest: res.Digest}
	if done, err := b.alreadyStored(stream, k, res, name); done || err != nil {
		return err
	}
	u, err := b.acquire(name)
	if err != nil {
		return err
	}
	select {
	case u.busy <- struct{}{}:
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
	defer func() { <-u.busy }()
	for {
		if err := b.append(u, name, res, msg); err != nil {
			return err
		}
		if msg.GetFinishWrite() {
			return b.commit(stream, u, name, k, res)
		}
		if msg, err = stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return status.Errorf(codes.InvalidArgument, "write %s: stream ended without finish_write", name)
			}
			return err // keep the upload: the client may resume it
		}
	}
}

// alreadyStored completes a write early when the blob is already present:
// committed_size is the blob size, or -1 for a compressed upload.
func (b *byteStream) alreadyStored(stream bspb.ByteStream_WriteServer, k cas.Key, res digest.Resource, name string) (bool, error) {
	missing, err := b.blobs.FindMissing(stream.Context(), []cas.Key{k})
	if err != nil || len(missing) > 0 {
		return false, err
	}
	b.discard(name)
	size := k.Digest.Size
	if res.Compressor != "" {
		size = -1
	}
	return true, stream.SendAndClose(&bspb.WriteResponse{CommittedSize: size})
}

// acquire returns the upload for name, creating it, and drops uploads that
// nobody resumed for uploadIdle.
func (b *byteStream) acquire(name string) (*upload, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	for n, u := range b.uploads {
		if n != name && now.Sub(u.lastUsed) > uploadIdle && len(u.busy) == 0 {
			b.dropLocked(n)
		}
	}
	if u, ok := b.uploads[name]; ok {
		u.lastUsed = now
		return u, nil
	}
	f, err := os.CreateTemp(b.opts.UploadDir, uploadPattern)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "write %s: %v", name, err)
	}
	u := &upload{busy: make(chan struct{}, 1), file: f, lastUsed: now}
	b.uploads[name] = u
	return u, nil
}

// append writes one message's data at its offset. An offset of 0 restarts
// the upload; otherwise it must equal the bytes committed so far.
func (b *byteStream) append(u *upload, name string, res digest.Resource, msg *bspb.WriteRequest) error {
	if n := msg.GetResourceName(); n != "" && n != name {
		return status.Errorf(codes.InvalidArgument, "write: resource name changed from %q to %q", name, n)
	}
	off := msg.GetWriteOffset()
	if off == 0 && u.committed.Load() != 0 {
		u.committed.Store(0)
		if err := u.file.Truncate(0); err != nil {
			return status.Errorf(codes.Internal, "write %s: %v", name, err)
		}
	}
	if off != u.committed.Load() {
		return status.Errorf(codes.InvalidArgument, "write %s: write_offset %d, want %d", name, off, u.committed.Load())
	}
	if off+int64(len(msg.GetData())) > maxUpload(res) {
		return status.Errorf(codes.InvalidArgument, "write %s: more data than the blob can hold", name)
	}
	if _, err := u.file.WriteAt(msg.GetData(), off); err != nil {
		return status.Errorf(codes.Internal, "write %s: %v", name, err)
	}
	u.committed.Add(int64(len(msg.GetData())))
	return nil
}

// maxUpload bounds the bytes an upload may send: the blob size, plus
// zstd's worst-case framing overhead for compressed uploads.
func maxUpload(res digest.Resource) int64 {
	if res.Compressor == "" {
		return res.Digest.Size
	}
	return res.Digest.Size + res.Digest.Size/64 + 64<<10
}

// commit hands the uploaded bytes to the store (which verifies them) and
// forgets the upload, whatever the outcome: bad data cannot be resumed.
func (b *byteStream) commit(stream bspb.ByteStream_WriteServer, u *upload, name string, k cas.Key, res digest.Resource) error {
	defer b.discard(name)
	n := u.committed.Load()
	r := io.NewSectionReader(u.file, 0, n)
	var err error
	if res.Compressor != "" {
		err = putZstd(stream.Context(), b.blobs, k, r)
	} else {
		err = b.blobs.Put(stream.Context(), k, r)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return stream.SendAndClose(&bspb.WriteResponse{CommittedSize: n})
}

func (b *byteStream) discard(name string) {
	b.mu.Lock()
	b.dropLocked(name)
	b.mu.Unlock()
}

func (b *byteStream) dropLocked(name string) {
	if u, ok := b.uploads[name]; ok {
		delete(b.uploads, name)
		u.file.Close()
		os.Remove(u.file.Name())
	}
}

// QueryWriteStatus reports an upload in progress, a blob already stored
// (complete), or 0 for a name the server has not seen.
func (b *byteStream) QueryWriteStatus(ctx context.Context, req *bspb.QueryWriteStatusRequest) (*bspb.QueryWriteStatusResponse, error) {
	res, err := digest.ParseWriteName(req.GetResourceName())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%v", err)
	}
	b.mu.Lock()
	u, ok := b.uploads[req.GetResourceName()]
	b.mu.Unlock()
	if ok {
		return &bspb.QueryWriteStatusResponse{CommittedSize: u.committed.Load()}, nil
	}
	k := cas.Key{Function: res.Function, Digest: res.Digest}
	missing, err := b.blobs.FindMissing(ctx, []cas.Key{k})
	if err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return &bspb.QueryWriteStatusResponse{CommittedSize: k.Digest.Size, Complete: true}, nil
	}
	return &bspb.QueryWriteStatusResponse{}, nil
}

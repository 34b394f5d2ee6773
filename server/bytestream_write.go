package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// byteStream is the ByteStream service. Partial uploads are kept in temp
// files by resource name so that a client whose stream dropped can ask
// QueryWriteStatus and continue from committed_size. The blob reaches the
// store only when finish_write arrives, through the verifying store.
// Uploads are bounded (bytestream_uploads.go): in number, in bytes (they
// count toward the store's bound), in idle time, and in open files.
type byteStream struct {
	bspb.UnimplementedByteStreamServer
	blobs cas.BlobStore
	opts  Options

	mu      sync.Mutex
	uploads map[string]*upload
}

func newByteStream(blobs cas.BlobStore, opts Options) *byteStream {
	sweepUploadDir(opts.UploadDir, opts.sharedUploadDir, opts.Limits.UploadIdle)
	return &byteStream{blobs: blobs, opts: opts, uploads: map[string]*upload{}}
}

func (b *byteStream) Write(stream bspb.ByteStream_WriteServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	recv := b.idleReceiver(ctx, stream)
	msg, err := recv()
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
	defer b.release(u)
	for {
		if err := b.append(u, name, res, msg); err != nil {
			return err
		}
		if msg.GetFinishWrite() {
			return b.commit(stream, u, name, k, res)
		}
		if msg, err = recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return status.Errorf(codes.InvalidArgument, "write %s: stream ended without finish_write", name)
			}
			if status.Code(err) == codes.DeadlineExceeded {
				b.discard(name) // idle this long: its client is gone
			}
			return err // else keep the upload: the client may resume it
		}
	}
}

// idleReceiver returns a Recv for stream that gives up with
// DEADLINE_EXCEEDED when no message arrives for Limits.UploadIdle, so that
// a stalled client cannot hold a stream, its goroutines and its upload
// forever. Recv runs in its own goroutine, which ends with the stream.
func (b *byteStream) idleReceiver(ctx context.Context, stream bspb.ByteStream_WriteServer) func() (*bspb.WriteRequest, error) {
	type received struct {
		msg *bspb.WriteRequest
		err error
	}
	msgs := make(chan received)
	go func() {
		for {
			msg, err := stream.Recv()
			select {
			case msgs <- received{msg, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	idle := b.opts.Limits.UploadIdle
	return func() (*bspb.WriteRequest, error) {
		t := time.NewTimer(idle)
		defer t.Stop()
		select {
		case r := <-msgs:
			return r.msg, r.err
		case <-t.C:
			return nil, status.Errorf(codes.DeadlineExceeded, "write: no data for %v", idle)
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
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

// append writes one message's data at its offset. An offset of 0 restarts
// the upload; otherwise it must equal the bytes committed so far.
func (b *byteStream) append(u *upload, name string, res digest.Resource, msg *bspb.WriteRequest) error {
	if n := msg.GetResourceName(); n != "" && n != name {
		return status.Errorf(codes.InvalidArgument, "write: resource name changed from %q to %q", name, n)
	}
	off := msg.GetWriteOffset()
	if off == 0 && u.committed.Load() != 0 {
		u.committed.Store(0)
		if err := os.Truncate(u.path, 0); err != nil {
			return cas.StatusWrap(err, "write %s", name)
		}
		b.mu.Lock()
		b.unreserveLocked(u)
		b.mu.Unlock()
	}
	if off != u.committed.Load() {
		return status.Errorf(codes.InvalidArgument, "write %s: write_offset %d, want %d", name, off, u.committed.Load())
	}
	if off+int64(len(msg.GetData())) > maxUpload(res) {
		return status.Errorf(codes.InvalidArgument, "write %s: more data than the blob can hold", name)
	}
	err := b.reserve(u, int64(len(msg.GetData())))
	if err == nil {
		err = u.writeAt(msg.GetData(), off)
	}
	if status.Code(err) == codes.ResourceExhausted {
		b.discard(name) // no room: drop it rather than hold what it has
	}
	if err != nil {
		return err
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
	f, err := u.openFile(os.O_RDONLY)
	if err != nil {
		return err
	}
	defer f.Close()
	n := u.committed.Load()
	r := io.NewSectionReader(f, 0, n)
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

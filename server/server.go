// Package server serves rex's storage over REAPI v2: Capabilities, the
// ContentAddressableStorage, ByteStream and the ActionCache, on top of the
// cas package. Execution lives in the execution package; this package only
// advertises it. Blobs are shared by content across instance names; action
// results are kept per instance (see cas.ActionKey).
package server

import (
	"context"
	"io"
	"os"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/semaphore"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// DefaultMaxBatchBytes is the batch limit when Options.MaxBatchBytes is 0.
const DefaultMaxBatchBytes = 4 << 20

// Options configures Register. Zero values mean the defaults in limits.go.
type Options struct {
	// MaxBatchBytes bounds the total blob bytes of one BatchUpdateBlobs or
	// BatchReadBlobs request, and is advertised as
	// max_batch_total_size_bytes. 0 means DefaultMaxBatchBytes.
	MaxBatchBytes int64
	// Execution advertises exec_enabled; the Execution service itself is
	// registered by the execution package.
	Execution bool
	// UploadDir holds partial ByteStream uploads so they can be resumed;
	// "" means os.TempDir().
	UploadDir string
	// CanUpdateActionCache says whether the caller of GetCapabilities may
	// call UpdateActionResult, for update_enabled; nil means anyone may.
	CanUpdateActionCache func(ctx context.Context) bool
	// Limits bound what clients can make the server hold.
	Limits Limits

	sharedUploadDir bool // UploadDir is os.TempDir, which others may use
}

func (o Options) withDefaults() Options {
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if o.UploadDir == "" {
		o.UploadDir, o.sharedUploadDir = os.TempDir(), true
	}
	o.Limits = o.Limits.withDefaults(o.MaxBatchBytes)
	return o
}

// Register adds Capabilities, ContentAddressableStorage, ByteStream and
// ActionCache services over blobs and ac to s.
func Register(s *grpc.Server, blobs cas.BlobStore, ac cas.ActionCache, opts Options) {
	opts = opts.withDefaults()
	repb.RegisterCapabilitiesServer(s, &capabilities{opts: opts})
	repb.RegisterContentAddressableStorageServer(s, &casServer{blobs: blobs, opts: opts,
		inflight: semaphore.NewWeighted(opts.Limits.BatchInflightBytes), trees: newTreeCursors()})
	bspb.RegisterByteStreamServer(s, newByteStream(blobs, opts))
	repb.RegisterActionCacheServer(s, &acServer{blobs: blobs, ac: ac, opts: opts})
}

// function maps a request's digest_function, refusing unsupported ones.
func function(v repb.DigestFunction_Value) (digest.Function, error) {
	f, err := digest.FunctionFromProto(v)
	if err != nil {
		return f, status.Errorf(codes.InvalidArgument, "%v", err)
	}
	return f, nil
}

// key validates a request digest under f.
func key(f digest.Function, p *repb.Digest) (cas.Key, error) {
	d, err := digest.FromProto(p)
	if err != nil {
		return cas.Key{}, status.Errorf(codes.InvalidArgument, "%v", err)
	}
	return cas.Key{Function: f, Digest: d}, nil
}

// requestKey validates a request's digest under its digest function.
func requestKey(fn repb.DigestFunction_Value, d *repb.Digest) (cas.Key, error) {
	f, err := function(fn)
	if err != nil {
		return cas.Key{}, err
	}
	return key(f, d)
}

// readAll reads a whole blob.
func readAll(ctx context.Context, blobs cas.BlobStore, k cas.Key) ([]byte, error) {
	rc, err := blobs.Get(ctx, k, 0)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, k.Digest.Size)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, status.Errorf(codes.Internal, "read blob %s: %v", k, err)
	}
	return b, nil
}

package server

import (
	"bytes"
	"context"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/semaphore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// casServer is the ContentAddressableStorage service. GetTree is in gettree.go.
type casServer struct {
	repb.UnimplementedContentAddressableStorageServer
	blobs cas.BlobStore
	opts  Options
	// inflight counts the blob bytes batch calls hold, so that a flood of
	// full batches waits instead of growing the heap.
	inflight *semaphore.Weighted
	trees    *treeCursors
}

func (s *casServer) FindMissingBlobs(ctx context.Context, req *repb.FindMissingBlobsRequest) (*repb.FindMissingBlobsResponse, error) {
	f, err := function(req.GetDigestFunction())
	if err != nil {
		return nil, err
	}
	if n := len(req.GetBlobDigests()); n > s.opts.Limits.MaxFindMissing {
		return nil, status.Errorf(codes.InvalidArgument, "FindMissingBlobs of %d digests: at most %d per call", n, s.opts.Limits.MaxFindMissing)
	}
	keys, err := keys(f, req.GetBlobDigests())
	if err != nil {
		return nil, err
	}
	missing, err := s.blobs.FindMissing(ctx, keys)
	if err != nil {
		return nil, err
	}
	resp := &repb.FindMissingBlobsResponse{}
	for _, k := range missing {
		resp.MissingBlobDigests = append(resp.MissingBlobDigests, k.Digest.Proto())
	}
	return resp, nil
}

// keys validates every digest of a request: one malformed digest makes the
// whole request INVALID_ARGUMENT.
func keys(f digest.Function, ps []*repb.Digest) ([]cas.Key, error) {
	out := make([]cas.Key, 0, len(ps))
	for _, p := range ps {
		k, err := key(f, p)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// admit waits until n more batch bytes may be held, refusing a batch over
// the advertised limit outright. The caller releases n.
func (s *casServer) admit(ctx context.Context, n int64, what string) error {
	if n > s.opts.MaxBatchBytes {
		return status.Errorf(codes.InvalidArgument,
			"%s of %d bytes exceeds max_batch_total_size_bytes %d: use ByteStream for large blobs", what, n, s.opts.MaxBatchBytes)
	}
	if err := s.inflight.Acquire(ctx, n); err != nil {
		return status.FromContextError(err).Err()
	}
	return nil
}

func (s *casServer) BatchUpdateBlobs(ctx context.Context, req *repb.BatchUpdateBlobsRequest) (*repb.BatchUpdateBlobsResponse, error) {
	f, err := function(req.GetDigestFunction())
	if err != nil {
		return nil, err
	}
	var total int64
	for _, r := range req.GetRequests() {
		if r.GetDigest().GetSizeBytes() < 0 {
			return nil, status.Errorf(codes.InvalidArgument, "digest %s/%d: negative size", r.GetDigest().GetHash(), r.GetDigest().GetSizeBytes())
		}
		total += int64(len(r.GetData())) // what the client sent, whatever it declared
	}
	// The data is already in memory; admitting it bounds what the store's
	// writes and the verifier hold on top.
	if err := s.admit(ctx, total, "batch update"); err != nil {
		return nil, err
	}
	defer s.inflight.Release(total)
	resp := &repb.BatchUpdateBlobsResponse{}
	for _, r := range req.GetRequests() {
		err := s.updateOne(ctx, f, r)
		resp.Responses = append(resp.Responses, &repb.BatchUpdateBlobsResponse_Response{
			Digest: r.GetDigest(),
			Status: status.Convert(err).Proto(),
		})
	}
	return resp, nil
}

func (s *casServer) updateOne(ctx context.Context, f digest.Function, r *repb.BatchUpdateBlobsRequest_Request) error {
	k, err := key(f, r.GetDigest())
	if err != nil {
		return err
	}
	switch r.GetCompressor() {
	case repb.Compressor_IDENTITY:
		return s.blobs.Put(ctx, k, bytes.NewReader(r.GetData()))
	case repb.Compressor_ZSTD:
		return putZstd(ctx, s.blobs, k, bytes.NewReader(r.GetData()))
	}
	return status.Errorf(codes.InvalidArgument, "compressor %s not supported", r.GetCompressor())
}

// BatchReadBlobs answers within max_batch_total_size_bytes. A stored blob
// is found only under its real size, so the sum of the request's sizes
// (none negative) bounds the bytes read, and readAll reads exactly that.
func (s *casServer) BatchReadBlobs(ctx context.Context, req *repb.BatchReadBlobsRequest) (*repb.BatchReadBlobsResponse, error) {
	f, err := function(req.GetDigestFunction())
	if err != nil {
		return nil, err
	}
	total, err := sumSizes(req.GetDigests(), s.opts.MaxBatchBytes)
	if err != nil {
		return nil, err
	}
	if err := s.admit(ctx, total, "batch read"); err != nil {
		return nil, err
	}
	defer s.inflight.Release(total)
	resp := &repb.BatchReadBlobsResponse{}
	for _, p := range req.GetDigests() {
		var data []byte
		k, err := key(f, p)
		if err == nil {
			data, err = readAll(ctx, s.blobs, k)
		}
		resp.Responses = append(resp.Responses, &repb.BatchReadBlobsResponse_Response{
			Digest: p,
			Data:   data,
			Status: status.Convert(err).Proto(),
		})
	}
	return resp, nil
}

// sumSizes adds the digests' sizes, refusing negative ones (which would
// hide large blobs from the sum); it stops past limit, so it cannot
// overflow.
func sumSizes(ps []*repb.Digest, limit int64) (int64, error) {
	var total int64
	for _, p := range ps {
		if p.GetSizeBytes() < 0 {
			return 0, status.Errorf(codes.InvalidArgument, "digest %s/%d: negative size", p.GetHash(), p.GetSizeBytes())
		}
		if total += p.GetSizeBytes(); total > limit {
			return total, nil
		}
	}
	return total, nil
}

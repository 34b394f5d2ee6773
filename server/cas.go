package server

import (
	"bytes"
	"context"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
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
}

func (s *casServer) FindMissingBlobs(ctx context.Context, req *repb.FindMissingBlobsRequest) (*repb.FindMissingBlobsResponse, error) {
	f, err := function(req.GetDigestFunction())
	if err != nil {
		return nil, err
	}
	keys := make([]cas.Key, 0, len(req.GetBlobDigests()))
	for _, p := range req.GetBlobDigests() {
		k, err := key(f, p)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
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

func (s *casServer) BatchUpdateBlobs(ctx context.Context, req *repb.BatchUpdateBlobsRequest) (*repb.BatchUpdateBlobsResponse, error) {
	f, err := function(req.GetDigestFunction())
	if err != nil {
		return nil, err
	}
	var total, declared int64
	for _, r := range req.GetRequests() {
		total += int64(len(r.GetData()))
		declared += r.GetDigest().GetSizeBytes()
	}
	if total > s.opts.MaxBatchBytes || declared > s.opts.MaxBatchBytes {
		return nil, status.Errorf(codes.InvalidArgument,
			"batch of %d bytes exceeds max_batch_total_size_bytes %d: upload large blobs with ByteStream Write",
			max(total, declared), s.opts.MaxBatchBytes)
	}
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

func (s *casServer) BatchReadBlobs(ctx context.Context, req *repb.BatchReadBlobsRequest) (*repb.BatchReadBlobsResponse, error) {
	f, err := function(req.GetDigestFunction())
	if err != nil {
		return nil, err
	}
	var total int64
	for _, p := range req.GetDigests() {
		total += p.GetSizeBytes()
	}
	if total > s.opts.MaxBatchBytes {
		return nil, status.Errorf(codes.InvalidArgument,
			"batch read of %d bytes exceeds max_batch_total_size_bytes %d: read large blobs with ByteStream Read",
			total, s.opts.MaxBatchBytes)
	}
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

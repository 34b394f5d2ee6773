package server

import (
	"io"

	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// readChunk is the data size of one ReadResponse.
const readChunk = 256 << 10

// Read serves "{instance}/blobs/..." and "{instance}/compressed-blobs/zstd/...".
// read_offset is always an offset into the uncompressed blob; read_limit
// must be 0 for compressed reads, as the spec requires.
func (b *byteStream) Read(req *bspb.ReadRequest, stream bspb.ByteStream_ReadServer) error {
	res, err := digest.ParseReadName(req.GetResourceName())
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "%v", err)
	}
	k := cas.Key{Function: res.Function, Digest: res.Digest}
	if req.GetReadOffset() < 0 || req.GetReadOffset() > k.Digest.Size {
		return status.Errorf(codes.OutOfRange, "read_offset %d outside blob %s", req.GetReadOffset(), k)
	}
	if req.GetReadLimit() < 0 {
		return status.Errorf(codes.InvalidArgument, "negative read_limit %d", req.GetReadLimit())
	}
	if res.Compressor != "" && req.GetReadLimit() != 0 {
		return status.Errorf(codes.InvalidArgument, "read_limit must be 0 when reading compressed blobs")
	}
	rc, err := b.blobs.Get(stream.Context(), k, req.GetReadOffset())
	if err != nil {
		return err
	}
	defer rc.Close()
	var r io.Reader = rc
	if limit := req.GetReadLimit(); limit > 0 {
		r = io.LimitReader(rc, limit)
	}
	if res.Compressor != "" {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(compressTo(pw, rc)) }()
		defer pr.Close()
		r = pr
	}
	return sendChunks(stream, r)
}

func sendChunks(stream bspb.ByteStream_ReadServer, r io.Reader) error {
	buf := make([]byte, readChunk)
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if serr := stream.Send(&bspb.ReadResponse{Data: buf[:n]}); serr != nil {
				return serr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

package server

import (
	"context"
	"io"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
)

// putZstd decompresses r into the store under k. The verifying store checks
// the uncompressed bytes; reading at most one byte past the declared size
// bounds a decompression bomb while still letting the store see "too long".
func putZstd(ctx context.Context, blobs cas.BlobStore, k cas.Key, r io.Reader) error {
	dec, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return status.Errorf(codes.Internal, "zstd: %v", err)
	}
	defer dec.Close()
	return blobs.Put(ctx, k, &zstdErrReader{r: io.LimitReader(dec, k.Digest.Size+1)})
}

// zstdErrReader marks malformed compressed data as the client's fault.
type zstdErrReader struct{ r io.Reader }

func (z *zstdErrReader) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	if err != nil && err != io.EOF {
		if _, ok := status.FromError(err); !ok {
			err = status.Errorf(codes.InvalidArgument, "zstd data: %v", err)
		}
	}
	return n, err
}

// compressTo writes r, zstd-compressed, to w.
func compressTo(w io.Writer, r io.Reader) error {
	enc, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		return status.Errorf(codes.Internal, "zstd: %v", err)
	}
	if _, err := io.Copy(enc, r); err != nil {
		enc.Close()
		return err
	}
	return enc.Close()
}

package cas

import (
	"context"
	"io"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// NewEmptyBlobStore makes the empty blob present for every digest function
// without storing it. Clients never upload it (many skip it by design), yet
// actions reference it constantly: empty outputs, empty stdout. Answering it
// here means eviction and fresh stores can never lose it.
func NewEmptyBlobStore(inner BlobStore) BlobStore {
	return &emptyBlobStore{inner: inner}
}

type emptyBlobStore struct {
	inner BlobStore
}

func isEmpty(k Key) bool {
	return k.Digest.Size == 0 && k.Function.IsValid() && k.Digest == k.Function.Empty()
}

func (s *emptyBlobStore) Get(ctx context.Context, k Key, offset int64) (io.ReadCloser, error) {
	if isEmpty(k) {
		if err := checkOffset(k, offset); err != nil {
			return nil, err
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	return s.inner.Get(ctx, k, offset)
}

func (s *emptyBlobStore) Put(ctx context.Context, k Key, r io.Reader) error {
	if isEmpty(k) {
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			return err
		}
		if n != 0 {
			return status.Errorf(codes.InvalidArgument, "blob %s: got %d bytes", k, n)
		}
		return nil
	}
	return s.inner.Put(ctx, k, r)
}

func (s *emptyBlobStore) FindMissing(ctx context.Context, keys []Key) ([]Key, error) {
	rest := make([]Key, 0, len(keys))
	for _, k := range keys {
		if !isEmpty(k) {
			rest = append(rest, k)
		}
	}
	if len(rest) == 0 {
		return nil, nil
	}
	return s.inner.FindMissing(ctx, rest)
}

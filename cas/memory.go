package cas

import (
	"bytes"
	"context"
	"io"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// NewMemoryStore returns a blob store that keeps everything in memory, for
// tests and throwaway servers. It is wrapped like the disk store: Put
// verifies digests and the empty blob is always present.
func NewMemoryStore() BlobStore {
	return NewVerifyingStore(NewEmptyBlobStore(&memoryStore{blobs: map[Key][]byte{}}))
}

// memoryStore is the bare map; it trusts its callers' digests.
type memoryStore struct {
	mu    sync.RWMutex
	blobs map[Key][]byte
}

func (m *memoryStore) Get(ctx context.Context, k Key, offset int64) (io.ReadCloser, error) {
	m.mu.RLock()
	b, ok := m.blobs[k]
	m.mu.RUnlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "blob %s not found", k)
	}
	if err := checkOffset(k, offset); err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b[offset:])), nil
}

func (m *memoryStore) Put(ctx context.Context, k Key, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if int64(len(b)) != k.Digest.Size {
		return status.Errorf(codes.InvalidArgument, "blob %s: got %d bytes", k, len(b))
	}
	m.mu.Lock()
	m.blobs[k] = b
	m.mu.Unlock()
	return nil
}

func (m *memoryStore) FindMissing(ctx context.Context, keys []Key) ([]Key, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var missing []Key
	for _, k := range keys {
		if _, ok := m.blobs[k]; !ok {
			missing = append(missing, k)
		}
	}
	return missing, nil
}

// checkOffset validates a read offset against the blob's size.
func checkOffset(k Key, offset int64) error {
	if offset < 0 || offset > k.Digest.Size {
		return status.Errorf(codes.OutOfRange, "blob %s: read offset %d out of range", k, offset)
	}
	return nil
}

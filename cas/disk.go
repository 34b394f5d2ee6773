package cas

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DiskOptions configures OpenDiskStore.
type DiskOptions struct {
	// MaxSize bounds the bytes of blobs kept; the least recently used are
	// evicted beyond it. 0 means unbounded.
	MaxSize int64
}

// touchInterval is how stale a file's mtime may get before a refresh
// rewrites it. The in-memory order is exact; mtimes only seed the order
// after a restart, so minute precision is plenty and saves a syscall per hit.
const touchInterval = time.Minute

// OpenDiskStore opens (creating if needed) a blob store under dir, stacked
// with the verifying and empty-blob decorators.
//
// Blobs live at dir/cas/{function}/{hh}/{hash}-{size}. Each is written to a
// temp file under dir/tmp, fsync'd, then renamed into place, so a crash
// mid-write leaves at worst a temp file, which the next open deletes: a
// torn blob is never served. Reads trust the rename and only compare the
// file size with the digest (one stat): the content was verified before the
// rename, and hashing every read would cost as much as the read itself.
//
// With opts.MaxSize > 0 the store evicts least recently used blobs. Access
// order is kept in memory and rebuilt from file mtimes when reopened.
func OpenDiskStore(dir string, opts DiskOptions) (BlobStore, error) {
	s := &diskStore{dir: dir, max: opts.MaxSize, idx: newLRUIndex()}
	if err := os.RemoveAll(s.tmpDir()); err != nil {
		return nil, fmt.Errorf("open disk store: clear temp files: %w", err)
	}
	for _, d := range []string{s.tmpDir(), filepath.Join(dir, "cas")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("open disk store: %w", err)
		}
	}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("open disk store %s: %w", dir, err)
	}
	s.mu.Lock()
	s.evictLocked()
	s.mu.Unlock()
	return NewVerifyingStore(NewEmptyBlobStore(s)), nil
}

type diskStore struct {
	dir string
	max int64

	mu  sync.Mutex // guards idx and every rename or removal under dir/cas
	idx *lruIndex
}

func (s *diskStore) tmpDir() string { return filepath.Join(s.dir, "tmp") }

func (s *diskStore) path(k Key) string {
	h := k.Digest.Hash
	return filepath.Join(s.dir, "cas", k.Function.Name(), h[:2], h+"-"+strconv.FormatInt(k.Digest.Size, 10))
}

func (s *diskStore) Get(ctx context.Context, k Key, offset int64) (io.ReadCloser, error) {
	if !validKey(k) {
		return nil, status.Errorf(codes.InvalidArgument, "invalid blob key %s", k)
	}
	if err := checkOffset(k, offset); err != nil {
		return nil, err
	}
	// Open under the lock: once open, the file stays readable even if
	// eviction unlinks it, so a reader never sees a torn blob.
	s.mu.Lock()
	e, ok := s.idx.touch(k)
	if !ok {
		s.mu.Unlock()
		return nil, status.Errorf(codes.NotFound, "blob %s not found", k)
	}
	f, err := os.Open(s.path(k))
	stale := s.staleLocked(e)
	s.mu.Unlock()
	if err != nil {
		return nil, s.lost(k, err)
	}
	if info, err := f.Stat(); err != nil || info.Size() != k.Digest.Size {
		f.Close()
		return nil, s.lost(k, fmt.Errorf("size changed on disk"))
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("blob %s: %w", k, err)
	}
	s.touchFiles(stale)
	return f, nil
}

// lost drops a blob whose file vanished or changed behind the store's back
// and reports it as missing.
func (s *diskStore) lost(k Key, cause error) error {
	s.mu.Lock()
	s.idx.remove(k)
	os.Remove(s.path(k))
	s.mu.Unlock()
	return status.Errorf(codes.NotFound, "blob %s lost from disk: %v", k, cause)
}

// staleLocked returns the path of e's file if its mtime needs a refresh.
func (s *diskStore) staleLocked(e *lruEntry) []string {
	now := time.Now()
	if now.Sub(e.diskTime) < touchInterval {
		return nil
	}
	e.diskTime = now
	return []string{s.path(e.key)}
}

func (s *diskStore) touchFiles(paths []string) {
	now := time.Now()
	for _, p := range paths {
		os.Chtimes(p, now, now) // best effort: it only seeds order after a restart
	}
}

func (s *diskStore) FindMissing(ctx context.Context, keys []Key) ([]Key, error) {
	var missing []Key
	var stale []string
	s.mu.Lock()
	for _, k := range keys {
		if !validKey(k) {
			missing = append(missing, k)
		} else if e, ok := s.idx.touch(k); ok {
			stale = append(stale, s.staleLocked(e)...)
		} else {
			missing = append(missing, k)
		}
	}
	s.mu.Unlock()
	s.touchFiles(stale)
	return missing, nil
}

func (s *diskStore) Put(ctx context.Context, k Key, r io.Reader) error {
	if !validKey(k) {
		return status.Errorf(codes.InvalidArgument, "invalid blob key %s", k)
	}
	if s.max > 0 && k.Digest.Size > s.max {
		return status.Errorf(codes.ResourceExhausted, "blob %s is larger than the store (%d bytes)", k, s.max)
	}
	s.mu.Lock()
	_, present := s.idx.touch(k)
	s.mu.Unlock()
	if present {
		// Still read it all, so the verifying decorator checks the caller's data.
		_, err := io.Copy(io.Discard, r)
		return err
	}
	tmp, err := s.writeTemp(k, r)
	if err != nil {
		return err
	}
	dst := s.path(k)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob %s: %w", k, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob %s: %w", k, err)
	}
	s.idx.add(k, time.Now())
	s.evictLocked()
	return nil
}

// writeTemp copies r into a synced temp file and returns its path.
func (s *diskStore) writeTemp(k Key, r io.Reader) (string, error) {
	f, err := os.CreateTemp(s.tmpDir(), "put-*")
	if err != nil {
		return "", fmt.Errorf("blob %s: %w", k, err)
	}
	n, err := io.Copy(f, r)
	if err == nil && n != k.Digest.Size {
		err = status.Errorf(codes.InvalidArgument, "blob %s: got %d bytes", k, n)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write blob %s: %w", k, err)
	}
	return f.Name(), nil
}

// evictLocked removes least recently used blobs until the total fits.
// Readers that already opened an evicted file keep reading it intact.
func (s *diskStore) evictLocked() {
	for s.max > 0 && s.idx.total > s.max {
		k, ok := s.idx.oldest()
		if !ok {
			return
		}
		os.Remove(s.path(k))
		s.idx.remove(k)
	}
}

package cas

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DiskOptions configures OpenDisk.
type DiskOptions struct {
	// MaxSize bounds the bytes of blobs, action results and reserved upload
	// space kept; the least recently used are evicted beyond it. 0 means
	// unbounded.
	MaxSize int64
}

// touchInterval is how stale a file's mtime may get before a refresh
// rewrites it. The in-memory order is exact; mtimes only seed the order
// after a restart, so minute precision is plenty and saves a syscall per hit.
const touchInterval = time.Minute

// Disk is a store under one directory whose blobs, action results and
// reserved upload space share one size bound and one LRU order.
type Disk struct {
	s     *diskStore
	blobs BlobStore
}

// OpenDisk opens (creating if needed) a store under dir.
//
// Blobs live at dir/cas/{function}/{hh}/{hash}-{size}, action results at
// dir/ac/{function}/{hh}/{hash}-{size}[-{instance tag}]. Each is written to
// a temp file under dir/tmp, then renamed into place, so a crash mid-write
// leaves at worst a temp file, which the next open deletes. Action results
// are synced before the rename; blobs are synced in bulk, and an open that
// follows a crash hashes them all (see disk_crash.go): a torn blob is never
// served. Reads trust the rename and only compare the file size with the
// digest (one stat): the content was verified before the rename, and
// hashing every read would cost as much as the read itself. Call Close
// when done.
//
// With opts.MaxSize > 0 the store evicts least recently used entries.
// Access order is kept in memory and rebuilt from file mtimes when reopened.
// A full disk (ENOSPC) evicts to make room and retries once, so a store on
// a disk smaller than MaxSize keeps serving.
func OpenDisk(dir string, opts DiskOptions) (*Disk, error) {
	s := &diskStore{dir: dir, max: opts.MaxSize, idx: newLRUIndex()}
	// dir/ac/tmp held the temp files of action results before they moved
	// to dir/tmp with the blobs'.
	for _, d := range []string{s.tmpDir(), filepath.Join(dir, "ac", "tmp")} {
		if err := os.RemoveAll(d); err != nil {
			return nil, fmt.Errorf("open disk store: clear temp files: %w", err)
		}
	}
	for _, d := range []string{s.tmpDir(), filepath.Join(dir, "cas"), filepath.Join(dir, "ac")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("open disk store: %w", err)
		}
	}
	unclean, err := s.uncleanShutdown()
	if err != nil {
		return nil, fmt.Errorf("open disk store: %w", err)
	}
	if err := s.load(unclean); err != nil {
		return nil, fmt.Errorf("open disk store %s: %w", dir, err)
	}
	if err := s.markOpen(); err != nil {
		return nil, fmt.Errorf("open disk store: %w", err)
	}
	s.mu.Lock()
	s.evictLocked(0)
	s.mu.Unlock()
	return &Disk{s: s, blobs: NewVerifyingStore(NewEmptyBlobStore(s))}, nil
}

// OpenDiskStore opens the blob store of OpenDisk alone.
func OpenDiskStore(dir string, opts DiskOptions) (BlobStore, error) {
	d, err := OpenDisk(dir, opts)
	if err != nil {
		return nil, err
	}
	return d.Blobs(), nil
}

// Blobs returns the blob store, stacked with the verifying and empty-blob
// decorators.
func (d *Disk) Blobs() BlobStore { return d.blobs }

// ActionCache returns the relation-aware action cache whose results live in
// this store and count toward its bound.
func (d *Disk) ActionCache() ActionCache {
	return &actionCache{blobs: d.blobs, results: diskResults{d.s}}
}

type diskStore struct {
	dir string
	max int64

	mu       sync.Mutex // guards idx, reserved and every rename or removal under dir
	idx      *lruIndex
	reserved int64 // bytes held outside the index (partial uploads), see Reserve
	evicted  int64 // entries evicted since open, see Usage
	closed   bool  // Close ran

	// syncEach: sync every blob before its rename, as no marker covers
	// writes any more (see disk_crash.go).
	syncEach atomic.Bool
}

func (s *diskStore) tmpDir() string { return filepath.Join(s.dir, "tmp") }

func (s *diskStore) path(k Key) string { return s.entryPath(blobEntry(k)) }

func (s *diskStore) entryPath(e entryKey) string {
	h := e.Digest.Hash
	area, name := "cas", h+"-"+strconv.FormatInt(e.Digest.Size, 10)
	if e.result {
		area = "ac"
		if e.instance != "" {
			name += "-" + e.instance
		}
	}
	return filepath.Join(s.dir, area, e.Function.Name(), h[:2], name)
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
	e, ok := s.idx.touch(blobEntry(k))
	if !ok {
		s.mu.Unlock()
		return nil, status.Errorf(codes.NotFound, "blob %s not found", k)
	}
	f, err := os.Open(s.path(k))
	stale := s.staleLocked(e, time.Now())
	s.mu.Unlock()
	if err != nil {
		return nil, s.lost(blobEntry(k), err)
	}
	if info, err := f.Stat(); err != nil || info.Size() != k.Digest.Size {
		f.Close()
		return nil, s.lost(blobEntry(k), fmt.Errorf("size changed on disk"))
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, StatusWrap(err, "blob %s", k)
	}
	s.touchFiles(stale)
	return f, nil
}

// lost drops an entry whose file vanished or changed behind the store's
// back and reports it as missing.
func (s *diskStore) lost(e entryKey, cause error) error {
	s.mu.Lock()
	s.idx.remove(e)
	os.Remove(s.entryPath(e))
	s.mu.Unlock()
	return status.Errorf(codes.NotFound, "%s lost from disk: %v", e.Key, cause)
}

// staleLocked returns the path of e's file if its mtime needs a refresh
// by now (a caller looking up many entries reads the clock once).
func (s *diskStore) staleLocked(e *lruEntry, now time.Time) []string {
	if now.Sub(e.diskTime) < touchInterval {
		return nil
	}
	e.diskTime = now
	return []string{s.entryPath(e.key)}
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
	now := time.Now()
	s.mu.Lock()
	for _, k := range keys {
		if !validKey(k) {
			missing = append(missing, k)
		} else if e, ok := s.idx.touch(blobEntry(k)); ok {
			stale = append(stale, s.staleLocked(e, now)...)
		} else {
			missing = append(missing, k)
		}
	}
	s.mu.Unlock()
	s.touchFiles(stale)
	return missing, nil
}

// admit checks that k is a blob the store can hold and says whether it
// already does (marking it used): what every way into the store asks first.
func (s *diskStore) admit(k Key) (present bool, err error) {
	if !validKey(k) {
		return false, status.Errorf(codes.InvalidArgument, "invalid blob key %s", k)
	}
	if s.max > 0 && k.Digest.Size > s.max {
		return false, status.Errorf(codes.ResourceExhausted, "blob %s is larger than the store (%d bytes)", k, s.max)
	}
	s.mu.Lock()
	_, present = s.idx.touch(blobEntry(k))
	s.mu.Unlock()
	return present, nil
}

func (s *diskStore) Put(ctx context.Context, k Key, r io.Reader) error {
	present, err := s.admit(k)
	if err != nil {
		return err
	}
	if present {
		// Still read it all, so the verifying decorator checks the caller's data.
		_, err := io.Copy(io.Discard, r)
		return err
	}
	tmp, err := s.writeTemp(k.String(), k.Digest.Size, r, s.blobDurability())
	if err != nil {
		return err
	}
	return s.commit(blobEntry(k), k.Digest.Size, tmp)
}

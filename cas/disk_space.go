package cas

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// diskSlack is the free space kept beyond a write's size when making room,
// for file-system blocks and metadata.
const diskSlack = 64 << 10

// durability says whether a write is synced before its rename.
type durability int

const (
	bulkSync durability = iota // covered by Close's sync and the open marker
	syncNow
)

// blobDurability is how blobs are written: in bulk while the store is open.
func (s *diskStore) blobDurability() durability {
	if s.syncEach.Load() {
		return syncNow
	}
	return bulkSync
}

// writeTemp copies r (size bytes, named what in errors) into a temp file,
// synced if d says so, and returns its path. It first makes room on the file system; when
// the disk still fills up it evicts again, so that the client's retry finds
// room, and answers ResourceExhausted.
func (s *diskStore) writeTemp(what string, size int64, r io.Reader, d durability) (string, error) {
	s.mu.Lock()
	s.makeRoomLocked(size)
	s.mu.Unlock()
	f, err := os.CreateTemp(s.tmpDir(), "put-*")
	if err != nil {
		return "", s.writeFailed(err, size, "%s", what)
	}
	n, err := f.ReadFrom(r)
	if err == nil && n != size {
		err = status.Errorf(codes.InvalidArgument, "%s: got %d bytes", what, n)
	}
	if err == nil && d == syncNow {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", s.writeFailed(err, size, "write %s", what)
	}
	return f.Name(), nil
}

// writeFailed gives err its code and, on a full disk, evicts for next time.
func (s *diskStore) writeFailed(err error, size int64, format string, args ...any) error {
	if isNoSpace(err) {
		s.mu.Lock()
		s.makeRoomLocked(size)
		s.mu.Unlock()
	}
	return StatusWrap(err, format, args...)
}

// commit renames a written temp file into place as e and evicts beyond the
// bound.
func (s *diskStore) commit(e entryKey, size int64, tmp string) error {
	dst := s.entryPath(e)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		os.Remove(tmp)
		return s.writeFailed(err, size, "%s", e.Key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return StatusWrap(err, "%s", e.Key)
	}
	s.idx.add(e, size, time.Now())
	s.evictLocked(0)
	return nil
}

// evictLocked removes least recently used entries until they and the
// reserved space fit the bound. Readers that already opened an evicted file
// keep reading it intact.
func (s *diskStore) evictLocked(extra int64) {
	for s.max > 0 && s.idx.total+s.reserved+extra > s.max {
		if !s.evictOldestLocked() {
			return
		}
	}
}

func (s *diskStore) evictOldestLocked() bool {
	e, ok := s.idx.oldest()
	if !ok {
		return false
	}
	os.Remove(s.entryPath(e))
	s.idx.remove(e)
	s.evicted++
	return true
}

// makeRoomLocked evicts until the file system has room for need bytes, as
// far as eviction can: the disk may be smaller than the bound, or shared.
func (s *diskStore) makeRoomLocked(need int64) {
	for {
		var fs syscall.Statfs_t
		if err := syscall.Statfs(s.dir, &fs); err != nil {
			return
		}
		if int64(fs.Bavail)*int64(fs.Bsize) >= need+diskSlack || !s.evictOldestLocked() {
			return
		}
	}
}

// Reserve counts n bytes held outside the store (a partial upload's temp
// file) against the bound, evicting to make room. Reservations together may
// not exceed the bound: beyond it, it is ResourceExhausted.
func (d *Disk) Reserve(n int64) error {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.max > 0 && s.reserved+n > s.max {
		return status.Errorf(codes.ResourceExhausted,
			"uploads in progress hold %d bytes of the store's %d", s.reserved, s.max)
	}
	s.reserved += n
	s.evictLocked(0)
	s.makeRoomLocked(n)
	return nil
}

// Release returns n reserved bytes.
func (d *Disk) Release(n int64) {
	d.s.mu.Lock()
	d.s.reserved -= n
	d.s.mu.Unlock()
}

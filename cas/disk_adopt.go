package cas

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// AdoptFile moves the file at path into the store as blob k, without
// reading or copying it: the server's embedded workers hash each output as
// they collect it, so an output is hashed once and written once. The caller
// vouches for the digest (the store checks only the size), so only code in
// this process that computed it may call this. path must be a regular file
// with no other link, on the store's file system; it is given to the
// store's user, and synced as the store's blobs are (see disk_crash.go). On success path is gone (or, when the store already
// held k, left as it was); on error nothing changed and the caller may Put
// the file instead.
func (d *Disk) AdoptFile(ctx context.Context, k Key, path string) error {
	s := d.s
	present, err := s.admit(k)
	if err != nil {
		return err
	}
	if present || isEmpty(k) {
		return nil
	}
	if err := settle(path, k.Digest.Size, s.blobDurability()); err != nil {
		return StatusWrap(err, "adopt %s", k)
	}
	dst := s.path(k)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return StatusWrap(err, "adopt %s", k)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.idx.touch(blobEntry(k)); ok {
		return nil // stored meanwhile
	}
	if err := os.Rename(path, dst); err != nil {
		return StatusWrap(err, "adopt %s", k)
	}
	s.idx.add(blobEntry(k), k.Digest.Size, time.Now())
	s.evictLocked(0)
	return nil
}

// settle readies a file for the store: the right size, one link, owned by
// the store's user and readable by it alone, as the store's own files are,
// and synced if d says so.
func settle(path string, size int64, d durability) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Size() != size || linkCount(fi) != 1 {
		return status.Errorf(codes.InvalidArgument, "%s: not a file of %d bytes with one link", path, size)
	}
	if err := f.Chown(os.Geteuid(), os.Getegid()); err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if d == syncNow {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync: %w", err)
		}
	}
	return nil
}

func linkCount(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 0
}

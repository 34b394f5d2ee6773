package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
)

const uploadPattern = "rex-upload-*"

// upload is one resumable write. Its bytes are as sent: compressed for
// compressed-blobs names. Its file is opened for each write and closed
// after it, so that stalled or abandoned uploads hold no descriptor.
type upload struct {
	busy      chan struct{} // held by the one stream writing it
	name      string
	path      string
	committed atomic.Int64
	reserved  int64     // bytes lent by Limits.UploadSpace; guarded by byteStream.mu
	lastUsed  time.Time // guarded by byteStream.mu
}

// sweepUploadDir creates the upload directory and deletes partial uploads
// left by a previous run: all of them in a directory of the server's own,
// since no index of them survives a restart, but only those idle for
// longer than idle in a directory others may share (os.TempDir).
func sweepUploadDir(dir string, shared bool, idle time.Duration) {
	os.MkdirAll(dir, 0o755) // if it fails, CreateTemp reports why
	old, _ := filepath.Glob(filepath.Join(dir, uploadPattern))
	for _, p := range old {
		if info, err := os.Stat(p); err == nil && (!shared || time.Since(info.ModTime()) > idle) {
			os.Remove(p)
		}
	}
}

// acquire returns the upload for name, creating it, and drops uploads that
// nobody resumed for Limits.UploadIdle. Beyond Limits.MaxUploads partial
// uploads a new one is RESOURCE_EXHAUSTED.
func (b *byteStream) acquire(name string) (*upload, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	for n, u := range b.uploads {
		if n != name && now.Sub(u.lastUsed) > b.opts.Limits.UploadIdle && len(u.busy) == 0 {
			b.dropLocked(n)
		}
	}
	if u, ok := b.uploads[name]; ok {
		u.lastUsed = now
		return u, nil
	}
	if len(b.uploads) >= b.opts.Limits.MaxUploads {
		return nil, status.Errorf(codes.ResourceExhausted, "write %s: %d uploads in progress, the most allowed", name, len(b.uploads))
	}
	f, err := os.CreateTemp(b.opts.UploadDir, uploadPattern)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "write %s: %v", name, err)
	}
	f.Close()
	u := &upload{busy: make(chan struct{}, 1), name: name, path: f.Name(), lastUsed: now}
	b.uploads[name] = u
	return u, nil
}

// writeAt writes p at off in u's file.
func (u *upload) writeAt(p []byte, off int64) error {
	f, err := u.openFile(os.O_WRONLY)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(p, off)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return cas.StatusWrap(err, "write %s", u.name)
}

// openFile opens u's file; one gone with its upload, dropped while this
// stream wrote it (expired, or completed by another stream), is ABORTED.
func (u *upload) openFile(flag int) (*os.File, error) {
	f, err := os.OpenFile(u.path, flag, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, status.Errorf(codes.Aborted, "write %s: upload dropped while being written", u.name)
	}
	if err != nil {
		return nil, cas.StatusWrap(err, "write %s", u.name)
	}
	return f, nil
}

// release lets another stream take u, and schedules its expiry. An upload
// dropped while it was being written returns what it reserved since.
func (b *byteStream) release(u *upload) {
	b.mu.Lock()
	u.lastUsed = time.Now()
	if b.uploads[u.name] != u {
		b.unreserveLocked(u)
	}
	b.mu.Unlock()
	<-u.busy
	time.AfterFunc(b.opts.Limits.UploadIdle, func() { b.expire(u) })
}

// expire drops u if nobody resumed it for Limits.UploadIdle, so that an
// abandoned upload frees its file and reservation even on a quiet server.
func (b *byteStream) expire(u *upload) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.uploads[u.name] == u && len(u.busy) == 0 && time.Since(u.lastUsed) >= b.opts.Limits.UploadIdle {
		b.dropLocked(u.name)
	}
}

// reserve accounts for n more bytes of u against the store's bound.
func (b *byteStream) reserve(u *upload, n int64) error {
	space := b.opts.Limits.UploadSpace
	if space == nil || n == 0 {
		return nil
	}
	if err := space.Reserve(n); err != nil {
		return fmt.Errorf("write %s: %w", u.name, err)
	}
	b.mu.Lock()
	u.reserved += n
	b.mu.Unlock()
	return nil
}

// unreserveLocked returns all of u's reserved bytes.
func (b *byteStream) unreserveLocked(u *upload) {
	if u.reserved > 0 {
		b.opts.Limits.UploadSpace.Release(u.reserved)
	}
	u.reserved = 0
}

func (b *byteStream) discard(name string) {
	b.mu.Lock()
	b.dropLocked(name)
	b.mu.Unlock()
}

// dropLocked forgets an upload, deletes its file and returns its
// reservation.
func (b *byteStream) dropLocked(name string) {
	if u, ok := b.uploads[name]; ok {
		delete(b.uploads, name)
		os.Remove(u.path)
		b.unreserveLocked(u)
	}
}

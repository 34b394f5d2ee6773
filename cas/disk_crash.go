package cas

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
)

// The disk store does not sync each blob it writes: an fsync per blob was
// the largest part of the server's own CPU in a build, for a guarantee a
// cache does not need one blob at a time. What it does need is never to
// serve a blob whose content a crash lost, and never to answer a hit whose
// outputs are gone. So the store syncs in bulk instead, and keeps a marker
// file in its directory while it is open:
//
//   - OpenDisk creates the marker (synced) before the first write. Close
//     syncs the whole file system once, then removes it.
//   - A marker found at open means the last run ended without Close (a
//     crash, a kill, a power cut), so blobs written since may be empty,
//     short, or hold other bytes under the right size. Open then hashes
//     every blob and removes those that do not match their name.
//   - Action results are still synced one by one. A result that survives
//     a crash while one of its blobs does not is a miss, not a wrong hit:
//     GetActionResult checks that every blob a result references is in the
//     index (actionCache.checkBlobs), and the check at open has removed the
//     damaged ones from it. The lost blob costs a re-upload or a re-run.
//   - After Close, the store syncs each write again, as writes racing a
//     shutdown find no marker to protect them.

// openMarker names the file present while a store is open.
const openMarker = "open"

func (s *diskStore) markerPath() string { return filepath.Join(s.dir, openMarker) }

// uncleanShutdown reports whether the previous run left its marker.
func (s *diskStore) uncleanShutdown() (bool, error) {
	_, err := os.Stat(s.markerPath())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// markOpen creates the marker and makes it durable before any write that
// is not synced on its own.
func (s *diskStore) markOpen() error {
	f, err := os.OpenFile(s.markerPath(), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return syncDir(s.dir)
}

// Close makes every write durable and marks the store as closed cleanly.
// The store stays usable: later writes are synced one by one.
func (d *Disk) Close() error {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.syncEach.Store(true)
	if err := syncFS(s.dir); err != nil {
		return fmt.Errorf("close disk store: %w", err)
	}
	if err := os.Remove(s.markerPath()); err != nil {
		return fmt.Errorf("close disk store: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("close disk store: %w", err)
	}
	return nil
}

// damaged reports whether the blob file at p no longer holds k: after an
// unclean shutdown, its size alone does not say.
func damaged(k Key, p string) bool {
	got, err := k.Function.FromFile(p)
	if err != nil || got != k.Digest {
		log.Printf("rex store: blob %s lost its content in a crash: removed", k)
		return true
	}
	return false
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

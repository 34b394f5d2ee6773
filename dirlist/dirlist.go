// Package dirlist reads each directory a compile asks about once: the
// names in it, with the stat data taken just before they were read. The
// dependency scan's check for a header's precompiled form, the search for
// a precompiled header and the direct-mode record all ask whether names
// exist in the same few dozen directories (a kernel compile looks up some
// 600 names in each of them); one read answers them all, and a stat of
// the directory tells whether that read still holds.
package dirlist

import (
	"errors"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Stat is the stat data of a file or directory that changes with its
// content or entries (size, mtime and ctime), or with the file itself
// (device, inode).
type Stat struct {
	Size         int64
	Mtime, Ctime int64 // nanoseconds since the epoch
	Dev, Ino     uint64
}

// StatOf stats path, following symlinks as a lookup through it does.
func StatOf(path string) (Stat, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return Stat{}, err
	}
	return FromSys(&st), nil
}

// RacyWindow is how long a file or directory must have been unchanged
// when it was stated for its stat data to tell a later change: timestamps
// tick coarsely (on some filesystems, NFS, much more coarsely than the
// clock), so a change in the same tick as the last one leaves them as they
// were.
const RacyWindow = 2 * time.Second

// Racy reports whether st was changed so recently, against since, that a
// second change in the same timestamp tick would leave it unchanged. Only
// the ctime tells: every change sets it to the clock, while an mtime may
// be anything (an unpacked tarball's, in the future).
func (st Stat) Racy(since time.Time) bool {
	return st.Ctime >= since.Add(-RacyWindow).UnixNano()
}

// Cache holds the directories read during one compile, by their clean
// path and stat data (the scan's "./include/linux" is the record's
// "././include/linux"; the device and inode alone do not name a directory
// on every filesystem: an overlay's may repeat). It is safe for concurrent
// use: the record is gathered while the compile runs.
type Cache struct {
	mu   sync.Mutex
	dirs map[dirKey]listing
	// window is RacyWindow but in tests, whose directories are all new.
	window time.Duration
	// kept, when set, is where trusted reads are kept for later compiles
	// (see kept.go).
	kept string
}

type dirKey struct {
	path string
	st   Stat
}

func keyOf(dir string, st Stat) dirKey { return dirKey{filepath.Clean(dir), st} }

type listing struct {
	names   *Names
	trusted bool
}

// New returns an empty cache.
func New() *Cache { return &Cache{dirs: map[dirKey]listing{}, window: RacyWindow} }

// Read returns the names in dir, whose stat data st the caller took just
// before: the names read earlier under the same stat data, when the
// directory had not changed for RacyWindow when they were (so that any
// change since would show in st), else a new read. ok is false when dir
// cannot be read (each name in it must then be looked up by itself).
// A nil Cache reads every time.
func (c *Cache) Read(dir string, st Stat) (names *Names, ok bool) {
	now := time.Now()
	if names, ok := c.Known(dir, st); ok {
		return names, true
	}
	if c != nil && c.kept != "" {
		if names, ok := c.load(keyOf(dir, st)); ok {
			c.remember(keyOf(dir, st), listing{names: names, trusted: true})
			return names, true
		}
	}
	names, ok = read(dir, st)
	if !ok || c == nil {
		return names, ok
	}
	trusted := st.Ctime < now.Add(-c.window).UnixNano()
	c.remember(keyOf(dir, st), listing{names: names, trusted: trusted})
	if trusted && c.kept != "" {
		c.keep(keyOf(dir, st), names)
	}
	return names, true
}

// ErrUnreadable is ReadPath's error for a directory that exists but whose
// entries cannot be read: each name in it must be looked up by itself.
var ErrUnreadable = errors.New("dirlist: directory cannot be read")

// ReadPath stats dir and returns its names as Read does. The error is the
// stat's (so a caller can tell a missing directory) or ErrUnreadable.
func (c *Cache) ReadPath(dir string) (*Names, error) {
	st, err := StatOf(dir)
	if err != nil {
		return nil, err
	}
	names, ok := c.Read(dir, st)
	if !ok {
		return nil, ErrUnreadable
	}
	return names, nil
}

func (c *Cache) remember(k dirKey, l listing) {
	c.mu.Lock()
	c.dirs[k] = l
	c.mu.Unlock()
}

// Known returns the names in dir read earlier under the stat data st,
// when the cache holds them and they can be trusted (see Read), without
// reading it.
func (c *Cache) Known(dir string, st Stat) (names *Names, ok bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	l, hit := c.dirs[keyOf(dir, st)]
	c.mu.Unlock()
	if hit && l.trusted {
		return l.names, true
	}
	return nil, false
}

// NewWindow returns a cache that trusts a directory unchanged for window
// when it was read: for tests, whose directories are all new.
func NewWindow(window time.Duration) *Cache {
	c := New()
	c.window = window
	return c
}

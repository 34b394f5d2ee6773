package worker

import (
	"container/list"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rexbuild/rex/digest"
)

// fileKey names one cached file: its content under a digest function, and
// whether it is executable (the mode belongs to the inode, which every
// hard link shares, so each mode has its own copy).
type fileKey struct {
	fn         digest.Function
	d          digest.Digest
	executable bool
}

// cachedFile is one file of the cache. Its fields other than pins and elem
// never change once it is indexed.
type cachedFile struct {
	key   fileKey
	path  string
	mtime time.Time // as inserted: a write through any link changes it
	pins  int       // stagings linking it now: eviction skips it
	elem  *list.Element
}

// fileCache is a worker's content-addressed store of input files, bounded
// by bytes and evicted least recently used first. Its files belong to the
// worker and are read-only (0444, or 0555 when executable); its directory
// is the worker's alone (0700). Input roots are built from hard links to
// these files, so a blob is fetched and written once per worker, not once
// per action. A jailed action runs as another user, to whom a link grants
// only what the mode does: it can read the file, or unlink its own name
// for it, never write or chmod it.
//
// Eviction removes a file from the cache directory only: the links of an
// action that is running keep the inode, and its content, until that
// action's directory goes. The bound is thus on what the cache holds, not
// on what running actions still link.
type fileCache struct {
	dir string
	max int64
	// sampleEvery: one hit in sampleEvery is hashed again before use (a
	// stat checks the others), so a file changed behind the cache's back
	// is found and fetched again.
	sampleEvery uint64

	mu    sync.Mutex
	files map[fileKey]*cachedFile
	lru   list.List // front: most recently used
	size  int64

	hits atomic.Uint64 // uses so far, for sampling
}

// defaultSampleEvery is how often a hit is hashed again: rarely enough to
// cost little, often enough that a corrupt file does not last.
const defaultSampleEvery = 64

// newFileCache empties dir (a worker's cache does not outlive its process:
// nothing could vouch for files left there) and returns a cache over it.
func newFileCache(dir string, max int64) (*fileCache, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("file cache: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("file cache: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("file cache: %w", err)
	}
	return &fileCache{dir: dir, max: max, sampleEvery: defaultSampleEvery, files: map[fileKey]*cachedFile{}}, nil
}

// pathOf is where the cache keeps k.
func (c *fileCache) pathOf(k fileKey) string {
	name := k.d.Hash + "-" + strconv.FormatInt(k.d.Size, 10)
	if k.executable {
		name += "-x"
	}
	return filepath.Join(c.dir, k.fn.Name(), k.d.Hash[:2], name)
}

// acquire pins the cached files among keys, refreshing them, and returns
// them with the keys the cache lacks. Each pinned file must be given back
// to release.
func (c *fileCache) acquire(keys []fileKey) (have map[fileKey]*cachedFile, missing []fileKey) {
	have = make(map[fileKey]*cachedFile, len(keys))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		f, ok := c.files[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		f.pins++
		c.lru.MoveToFront(f.elem)
		have[k] = f
	}
	return have, missing
}

// release unpins files, then evicts what the bound no longer allows.
func (c *fileCache) release(files map[fileKey]*cachedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range files {
		f.pins--
	}
	c.evictLocked()
}

// drop unpins a file found corrupt and removes it, so that the next use
// fetches it again.
func (c *fileCache) drop(f *cachedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.pins--
	if c.files[f.key] == f {
		c.removeLocked(f)
	}
}

// forget removes k from the cache, if it holds it, so that its next use
// fetches it again: a link to it was found changed.
func (c *fileCache) forget(k fileKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[k]; ok {
		c.removeLocked(f)
	}
}

// touch refreshes the files among keys that the cache holds: an action
// used them through links that a lent subtree kept, not through acquire.
func (c *fileCache) touch(keys []fileKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if f, ok := c.files[k]; ok {
			c.lru.MoveToFront(f.elem)
		}
	}
}

// evictLocked removes unpinned files, least recently used first, until the
// cache fits its bound.
func (c *fileCache) evictLocked() {
	for e := c.lru.Back(); e != nil && c.size > c.max; {
		f := e.Value.(*cachedFile)
		e = e.Prev()
		if f.pins == 0 {
			c.removeLocked(f)
		}
	}
}

func (c *fileCache) removeLocked(f *cachedFile) {
	delete(c.files, f.key)
	c.lru.Remove(f.elem)
	c.size -= f.key.d.Size
	os.Remove(f.path)
}

// stats returns the bytes and files held, for tests and logs.
func (c *fileCache) stats() (bytes int64, files int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size, len(c.files)
}

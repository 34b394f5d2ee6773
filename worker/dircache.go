package worker

import (
	"container/list"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/rexbuild/rex/digest"
)

// dirCache keeps input subtrees that a jailed action could not change, so
// that the next action with the same Directory digest moves one in with a
// single rename instead of creating its directories and links, and gives it
// back with another instead of removing them. On ext4 a directory costs as
// much to create and to remove as a few dozen links, and a build's input
// roots repeat most of theirs: a project's include tree recurs from compile
// to compile.
//
// A subtree is kept only if nothing of the action can write to it: its
// directories belong to the worker (0755: the action's user may read and
// search them, never add, remove or rename an entry), its files are links
// to the file cache's read-only files (or copies of them, as read-only and
// the worker's), and no output or working directory lies in it (see
// staging.shareable). So a subtree comes back as it went, and needs no
// check. Each idle subtree is lent to one action at a time.
type dirCache struct {
	dir string // idle subtrees, one directory each, named by a counter
	max int    // idle subtrees kept; the least recently returned go first

	mu   sync.Mutex
	idle map[dirKey][]*list.Element
	lru  list.List // of *idleDir, front: most recently returned
	next int
}

// dirKey names a subtree: a Directory digest under a digest function.
type dirKey struct {
	fn digest.Function
	d  digest.Digest
}

type idleDir struct {
	key  dirKey
	path string
}

// defaultDirCacheEntries bounds the idle subtrees. A kernel build's 544
// actions lay out about 4,300 distinct directories, but the ones that
// recur are far fewer; the links a subtree holds keep their inodes even
// once the file cache evicts them, so the bound also bounds that.
const defaultDirCacheEntries = 2000

// newDirCache empties dir (what a previous run left there is not known to
// be whole) and returns a cache over it.
func newDirCache(dir string, max int) (*dirCache, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("directory cache: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("directory cache: %w", err)
	}
	return &dirCache{dir: dir, max: max, idle: map[dirKey][]*list.Element{}}, nil
}

// take moves an idle copy of k to path, which must not exist, and reports
// whether there was one.
func (c *dirCache) take(k dirKey, path string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		es := c.idle[k]
		if len(es) == 0 {
			return false
		}
		e := es[len(es)-1]
		c.unlinkLocked(e)
		if os.Rename(e.Value.(*idleDir).path, path) == nil {
			return true
		}
		os.RemoveAll(e.Value.(*idleDir).path) // not whole: drop it
	}
}

// put moves the subtree at path, laid out for k, into the cache. It
// removes the subtree when it cannot keep it.
func (c *dirCache) put(k dirKey, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	dst := filepath.Join(c.dir, strconv.Itoa(c.next))
	if err := os.Rename(path, dst); err != nil {
		return // the action directory's removal takes it
	}
	c.idle[k] = append(c.idle[k], c.lru.PushFront(&idleDir{key: k, path: dst}))
	for c.lru.Len() > c.max {
		e := c.lru.Back()
		c.unlinkLocked(e)
		os.RemoveAll(e.Value.(*idleDir).path)
	}
}

// giveBack puts every lent subtree back (none when c is nil).
func (c *dirCache) giveBack(lent []lentDir) {
	for _, d := range lent {
		c.put(d.key, d.path)
	}
}

// unlinkLocked forgets the idle subtree e.
func (c *dirCache) unlinkLocked(e *list.Element) {
	d := e.Value.(*idleDir)
	es := c.idle[d.key]
	for i, x := range es {
		if x == e {
			es = append(es[:i], es[i+1:]...)
			break
		}
	}
	if len(es) == 0 {
		delete(c.idle, d.key)
	} else {
		c.idle[d.key] = es
	}
	c.lru.Remove(e)
}

package worker

import (
	"container/list"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/digest"
)

// dirCache keeps input subtrees that a jailed action could not change, so
// that the next action moves one in with a single rename instead of
// creating its directories and links, and gives it back with another
// instead of removing them. On ext4 a directory costs as much to create and
// to remove as a few dozen links, and a build's input roots repeat most of
// theirs: a project's include tree recurs from compile to compile, though
// each compile's input root holds only the headers it reads, so the same
// place (include/linux) rarely has the same Directory digest twice. A
// subtree with the digest the action needs is lent as it is; else the one
// last lent at the same place that differs least is lent and patched (see
// layout.reuse): only the entries that differ are removed and added.
//
// A subtree is kept only if nothing of the action can write to it: its
// directories belong to the worker (0755: the action's user may read and
// search them, never add, remove or rename an entry), its files are links
// to the file cache's read-only files (or copies of them, as read-only and
// the worker's), and no output or working directory lies in it (see
// staging.shareable). So a subtree comes back as it went: it is exactly the
// layout of the Directory it was lent for, which is what lets the next
// action patch it without reading it. Each idle subtree is lent to one
// action at a time.
type dirCache struct {
	dir string // idle subtrees, one directory each, named by a counter
	max int    // idle subtrees kept; the least recently returned go first

	mu   sync.Mutex
	idle map[dirKey][]*list.Element
	near map[placeKey][]*list.Element
	lru  list.List // of *lentDir, front: most recently returned
	next int
}

// dirKey names a subtree: a Directory digest under a digest function.
type dirKey struct {
	fn digest.Function
	d  digest.Digest
}

// placeKey names where in an input root a subtree was lent (its path
// relative to the root, such as "include"), under a digest function.
type placeKey struct {
	fn    digest.Function
	place string
}

// lentDir is a subtree of an input root, lent to an action or idle in the
// directory cache.
type lentDir struct {
	key   dirKey
	path  string
	place string
	// tree holds the Directory messages of the subtree (key.d and every
	// Directory under it), for patching it into another.
	tree map[digest.Digest]*repb.Directory
	// touched is when the file cache last saw its files used (see reuse).
	touched time.Time
	// id is its top directory's identity when lent, which put checks.
	id subtreeID
}

// defaultDirCacheEntries bounds the idle subtrees. A kernel build's 544
// actions lay out about 4,300 distinct directories, but the ones that
// recur are far fewer; the links a subtree holds keep their inodes even
// once the file cache evicts them, so the bound also bounds that.
const defaultDirCacheEntries = 2000

// nearCandidates is how many of the subtrees last returned from a place
// take weighs, to lend the one that differs least.
const nearCandidates = 4

// newDirCache empties dir (what a previous run left there is not known to
// be whole) and returns a cache over it.
func newDirCache(dir string, max int) (*dirCache, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("directory cache: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("directory cache: %w", err)
	}
	return &dirCache{dir: dir, max: max, idle: map[dirKey][]*list.Element{}, near: map[placeKey][]*list.Element{}}, nil
}

// take moves to path, which must not exist, an idle subtree for the
// Directory k at place: one laid out for k itself, else, of the last ones
// returned from place, the one for which cost (the entries a patch would
// change) is least. It returns nil when there is none.
func (c *dirCache) take(k dirKey, place, path string, cost func(*lentDir) int) *lentDir {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		e := c.pickLocked(k, placeKey{k.fn, place}, cost)
		if e == nil {
			return nil
		}
		d := e.Value.(*lentDir)
		c.unlinkLocked(e)
		if os.Rename(d.path, path) == nil {
			d.path = path
			return d
		}
		os.RemoveAll(d.path) // not whole: drop it
	}
}

func (c *dirCache) pickLocked(k dirKey, p placeKey, cost func(*lentDir) int) *list.Element {
	if es := c.idle[k]; len(es) > 0 {
		return es[len(es)-1]
	}
	es := c.near[p]
	var best *list.Element
	bestCost := 0
	for i := len(es) - 1; i >= 0 && i >= len(es)-nearCandidates; i-- {
		if n := cost(es[i].Value.(*lentDir)); best == nil || n < bestCost {
			best, bestCost = es[i], n
		}
	}
	return best
}

// put moves the subtree d, lent and given back, into the cache. It
// removes the subtree when it cannot keep it, and leaves in the action's
// directory, for its removal, whatever is at d.path when that is not the
// directory lent (see subtreeID).
func (c *dirCache) put(d lentDir) {
	if id, ok := subtreeIDOf(d.path); !ok || id != d.id {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	dst := filepath.Join(c.dir, strconv.Itoa(c.next))
	if err := os.Rename(d.path, dst); err != nil {
		return // the action directory's removal takes it
	}
	d.path = dst
	e := c.lru.PushFront(&d)
	c.idle[d.key] = append(c.idle[d.key], e)
	p := placeKey{d.key.fn, d.place}
	c.near[p] = append(c.near[p], e)
	for c.lru.Len() > c.max {
		e := c.lru.Back()
		c.unlinkLocked(e)
		os.RemoveAll(e.Value.(*lentDir).path)
	}
}

// giveBack puts every lent subtree back (none when c is nil).
func (c *dirCache) giveBack(lent []lentDir) {
	for _, d := range lent {
		c.put(d)
	}
}

// unlinkLocked forgets the idle subtree e.
func (c *dirCache) unlinkLocked(e *list.Element) {
	d := e.Value.(*lentDir)
	without(c.idle, d.key, e)
	without(c.near, placeKey{d.key.fn, d.place}, e)
	c.lru.Remove(e)
}

// without removes e from m[k], and the key when nothing is left.
func without[K comparable](m map[K][]*list.Element, k K, e *list.Element) {
	es := m[k]
	for i, x := range es {
		if x == e {
			es = append(es[:i], es[i+1:]...)
			break
		}
	}
	if len(es) == 0 {
		delete(m, k)
	} else {
		m[k] = es
	}
}

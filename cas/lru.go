package cas

import (
	"container/list"
	"time"
)

// lruIndex tracks stored entries (blobs and action results) from most to
// least recently used, with their total size, so a bounded store knows what
// to evict. Blobs and results share one order, so that a result nobody asks
// for ages out like a blob, and one bound covers both. It is not safe for
// concurrent use: the disk store guards it with the same mutex that guards
// its renames and removals, so that "the file exists" and "the index lists
// it" change together and eviction never races a commit.
type lruIndex struct {
	order   *list.List // of *lruEntry, front = most recently used
	entries map[entryKey]*list.Element
	total   int64
}

// entryKey names one stored file: a blob (result false) or the action
// result of Key under the instance whose tag is instance.
type entryKey struct {
	result   bool
	instance string // instanceTag of the instance name; "" for blobs
	Key
}

func blobEntry(k Key) entryKey { return entryKey{Key: k} }

type lruEntry struct {
	key  entryKey
	size int64
	// diskTime is the file's mtime as last written, so that refreshing an
	// entry touches the file only when the recorded time is stale.
	diskTime time.Time
}

func newLRUIndex() *lruIndex {
	return &lruIndex{order: list.New(), entries: map[entryKey]*list.Element{}}
}

// touch marks k as just used. It reports whether k is present.
func (x *lruIndex) touch(k entryKey) (*lruEntry, bool) {
	el, ok := x.entries[k]
	if !ok {
		return nil, false
	}
	x.order.MoveToFront(el)
	return el.Value.(*lruEntry), true
}

// add records k as the most recently used entry, replacing any older size.
func (x *lruIndex) add(k entryKey, size int64, diskTime time.Time) {
	x.remove(k)
	x.entries[k] = x.order.PushFront(&lruEntry{key: k, size: size, diskTime: diskTime})
	x.total += size
}

// addOldest records k as less recently used than everything indexed so far;
// used when rebuilding the index from mtimes, newest first.
func (x *lruIndex) addOldest(k entryKey, size int64, diskTime time.Time) {
	if _, ok := x.entries[k]; ok {
		return
	}
	x.entries[k] = x.order.PushBack(&lruEntry{key: k, size: size, diskTime: diskTime})
	x.total += size
}

func (x *lruIndex) remove(k entryKey) {
	if el, ok := x.entries[k]; ok {
		x.order.Remove(el)
		delete(x.entries, k)
		x.total -= el.Value.(*lruEntry).size
	}
}

// oldest returns the least recently used entry.
func (x *lruIndex) oldest() (entryKey, bool) {
	el := x.order.Back()
	if el == nil {
		return entryKey{}, false
	}
	return el.Value.(*lruEntry).key, true
}

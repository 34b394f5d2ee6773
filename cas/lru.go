package cas

import (
	"container/list"
	"time"
)

// lruIndex tracks stored blobs from most to least recently used, with their
// total size, so a bounded store knows what to evict. It is not safe for
// concurrent use: the disk store guards it with the same mutex that guards
// its renames and removals, so that "the file exists" and "the index lists
// it" change together and eviction never races a commit.
type lruIndex struct {
	order   *list.List // of *lruEntry, front = most recently used
	entries map[Key]*list.Element
	total   int64
}

type lruEntry struct {
	key Key
	// diskTime is the file's mtime as last written, so that refreshing a
	// blob touches the file only when the recorded time is stale.
	diskTime time.Time
}

func newLRUIndex() *lruIndex {
	return &lruIndex{order: list.New(), entries: map[Key]*list.Element{}}
}

// touch marks k as just used. It reports whether k is present.
func (x *lruIndex) touch(k Key) (*lruEntry, bool) {
	el, ok := x.entries[k]
	if !ok {
		return nil, false
	}
	x.order.MoveToFront(el)
	return el.Value.(*lruEntry), true
}

// add records k as the most recently used blob (or refreshes it).
func (x *lruIndex) add(k Key, diskTime time.Time) {
	if _, ok := x.touch(k); ok {
		return
	}
	x.entries[k] = x.order.PushFront(&lruEntry{key: k, diskTime: diskTime})
	x.total += k.Digest.Size
}

// addOldest records k as less recently used than everything indexed so far;
// used when rebuilding the index from mtimes, newest first.
func (x *lruIndex) addOldest(k Key, diskTime time.Time) {
	if _, ok := x.entries[k]; ok {
		return
	}
	x.entries[k] = x.order.PushBack(&lruEntry{key: k, diskTime: diskTime})
	x.total += k.Digest.Size
}

func (x *lruIndex) remove(k Key) {
	if el, ok := x.entries[k]; ok {
		x.order.Remove(el)
		delete(x.entries, k)
		x.total -= k.Digest.Size
	}
}

// oldest returns the least recently used key.
func (x *lruIndex) oldest() (Key, bool) {
	el := x.order.Back()
	if el == nil {
		return Key{}, false
	}
	return el.Value.(*lruEntry).key, true
}

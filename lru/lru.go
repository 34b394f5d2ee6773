// Package lru is a map bounded by the total size of its values, which
// forgets the least recently used first. It is safe for concurrent use.
package lru

import (
	"container/list"
	"sync"
)

// Cache maps K to V within max bytes, as the caller sizes each value.
type Cache[K comparable, V any] struct {
	max int64

	mu    sync.Mutex
	items map[K]*list.Element
	order list.List // of *entry, front: most recently used
	size  int64
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	size int64
}

// New returns an empty cache of at most max bytes.
func New[K comparable, V any](max int64) *Cache[K, V] {
	return &Cache[K, V]{max: max, items: map[K]*list.Element{}}
}

// Get returns the value of k and marks it used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[K, V]).val, true
}

// Add keeps v, of size bytes, under k unless k is there already, and
// forgets the least recently used values past the bound.
func (c *Cache[K, V]) Add(k K, v V, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.order.PushFront(&entry[K, V]{key: k, val: v, size: size})
	c.size += size
	for c.size > c.max {
		e := c.order.Back()
		old := e.Value.(*entry[K, V])
		c.order.Remove(e)
		delete(c.items, old.key)
		c.size -= old.size
	}
}

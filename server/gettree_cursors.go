package server

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/rexbuild/rex/cas"
)

// Cursor bounds: a walk holds a key per directory of its tree, so only a
// few are kept, and only while their clients are likely to resume.
const (
	maxTreeCursors = 16
	treeCursorIdle = 2 * time.Minute
)

// treeWalk is the state of one breadth-first walk: the order found so far
// and how much of it has been expanded. It only grows, so any position up
// to the end of order can be resumed from it.
type treeWalk struct {
	mu       sync.Mutex // held by the call streaming from it
	root     cas.Key
	order    []cas.Key
	seen     map[cas.Key]bool
	expanded int // order[:expanded] have had their subdirectories appended
	used     time.Time
}

// treeCursors keeps recent walks by id for resumed GetTree calls.
type treeCursors struct {
	mu    sync.Mutex
	walks map[string]*treeWalk
}

func newTreeCursors() *treeCursors { return &treeCursors{walks: map[string]*treeWalk{}} }

// get returns the walk named id if it walks root, else a new walk under a
// new id, kept in place of the least recently used one when full.
func (c *treeCursors) get(id string, root cas.Key) (*treeWalk, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if w, ok := c.walks[id]; ok && w.root == root {
		w.used = now
		return w, id
	}
	var oldest string
	for k, w := range c.walks {
		if now.Sub(w.used) > treeCursorIdle {
			delete(c.walks, k)
		} else if oldest == "" || w.used.Before(c.walks[oldest].used) {
			oldest = k
		}
	}
	if len(c.walks) >= maxTreeCursors {
		delete(c.walks, oldest)
	}
	w := &treeWalk{root: root, order: []cas.Key{root}, seen: map[cas.Key]bool{root: true}, used: now}
	var b [8]byte
	rand.Read(b[:])
	id = hex.EncodeToString(b[:])
	c.walks[id] = w
	return w, id
}

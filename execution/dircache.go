package execution

import (
	"container/list"
	"sync"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/cas"
)

// dirCache keeps the input Directory messages that Execute's check of the
// input tree read recently. A Directory is named by the digest of its
// content, so a kept message is the blob's, whenever it is asked for: the
// check of the next action that names it skips reading and parsing it and
// asks the store only whether the blob is still there, with the files.
// Kept messages are shared and must not be changed.
type dirCache struct {
	max int64 // bytes of serialised messages kept

	mu   sync.Mutex
	msgs map[cas.Key]*list.Element
	lru  list.List // of *dirEntry, front: most recently used
	size int64
}

type dirEntry struct {
	key cas.Key
	msg *repb.Directory
}

// dirCacheBytes bounds the kept messages: a Linux build's 4,300 distinct
// input directories hold about 7 MB.
const dirCacheBytes = 32 << 20

func newDirCache(max int64) *dirCache {
	return &dirCache{max: max, msgs: map[cas.Key]*list.Element{}}
}

func (c *dirCache) get(k cas.Key) (*repb.Directory, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.msgs[k]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*dirEntry).msg, true
}

func (c *dirCache) add(k cas.Key, msg *repb.Directory) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.msgs[k]; ok {
		return
	}
	c.msgs[k] = c.lru.PushFront(&dirEntry{key: k, msg: msg})
	c.size += k.Digest.Size
	for c.size > c.max {
		e := c.lru.Back()
		old := e.Value.(*dirEntry)
		c.lru.Remove(e)
		delete(c.msgs, old.key)
		c.size -= old.key.Digest.Size
	}
}

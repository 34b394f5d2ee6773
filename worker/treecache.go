package worker

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// treeCache keeps the Directory messages of recent input trees, parsed and
// validated. A Directory is named by the digest of its content, so once
// read it never changes: the next action whose tree names it skips reading
// the blob, hashing it, parsing it and checking every digest in it, which
// for a build's include trees was most of fetching its input tree.
// Messages in the cache are shared and must not be changed.
type treeCache struct {
	max int64 // bytes of serialised messages kept

	mu   sync.Mutex
	msgs map[dirKey]*list.Element
	lru  list.List // of *treeEntry, front: most recently used
	size int64
}

type treeEntry struct {
	key dirKey
	msg *repb.Directory
}

// defaultTreeCacheBytes bounds the Directory messages kept: a kernel
// build's 4,300 distinct directories hold about 7 MB.
const defaultTreeCacheBytes = 32 << 20

func newTreeCache(max int64) *treeCache {
	return &treeCache{max: max, msgs: map[dirKey]*list.Element{}}
}

func (c *treeCache) get(k dirKey) (*repb.Directory, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.msgs[k]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*treeEntry).msg, true
}

func (c *treeCache) add(k dirKey, msg *repb.Directory) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.msgs[k]; ok {
		return
	}
	c.msgs[k] = c.lru.PushFront(&treeEntry{key: k, msg: msg})
	c.size += k.d.Size
	for c.size > c.max {
		e := c.lru.Back()
		old := e.Value.(*treeEntry)
		c.lru.Remove(e)
		delete(c.msgs, old.key)
		c.size -= old.key.d.Size
	}
}

// getTree returns every Directory under root, each validated. A worker
// embedded in the server reads them one by one from the cache, or from the
// store when the cache lacks one; any other worker asks its server for the
// whole tree at once (GetTree), as a round trip per Directory would cost
// more than the cache saves.
func getTree(ctx context.Context, c *treeCache, store casStore, fn digest.Function, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	local, ok := store.(localCAS)
	if !ok || c == nil {
		return fetchTree(ctx, store, root)
	}
	dirs := map[digest.Digest]*repb.Directory{}
	todo := []digest.Digest{root}
	for len(todo) > 0 {
		d := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if _, seen := dirs[d]; seen {
			continue
		}
		msg, err := c.directory(ctx, local, dirKey{fn: fn, d: d})
		if err != nil {
			return nil, err
		}
		dirs[d] = msg
		for _, sub := range msg.GetDirectories() {
			sd, err := digest.FromProto(sub.GetDigest()) // valid: checked before it was kept
			if err != nil {
				return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", sub.GetName(), err))
			}
			todo = append(todo, sd)
		}
	}
	return dirs, nil
}

// directory returns the Directory k, from the cache or else read from the
// store (which checks its digest), parsed, validated and kept.
func (c *treeCache) directory(ctx context.Context, local localCAS, k dirKey) (*repb.Directory, error) {
	if msg, ok := c.get(k); ok {
		return msg, nil
	}
	b, err := local.ReadBlob(ctx, k.d)
	if err != nil {
		return nil, fmt.Errorf("input tree: %w", missingAsPrecondition(err))
	}
	msg := &repb.Directory{}
	if err := proto.Unmarshal(b, msg); err != nil {
		return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", k.d, err))
	}
	if err := client.ValidateDirectory(msg); err != nil {
		return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", k.d, err))
	}
	c.add(k, msg)
	return msg, nil
}

// fetchTree asks the store for the whole tree and validates it.
func fetchTree(ctx context.Context, store casStore, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	dirs, err := store.GetTree(ctx, root)
	if err != nil {
		return nil, fmt.Errorf("input tree: %w", missingAsPrecondition(err))
	}
	for d, msg := range dirs {
		if err := client.ValidateDirectory(msg); err != nil {
			return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", d, err))
		}
	}
	return dirs, nil
}

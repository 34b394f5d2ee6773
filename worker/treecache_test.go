package worker

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// countingStore counts the blobs read from a store, in all and each.
type countingStore struct {
	cas.BlobStore
	gets atomic.Int64
	mu   sync.Mutex
	each map[digest.Digest]int
}

func (c *countingStore) Get(ctx context.Context, k cas.Key, offset int64) (io.ReadCloser, error) {
	c.gets.Add(1)
	c.mu.Lock()
	if c.each == nil {
		c.each = map[digest.Digest]int{}
	}
	c.each[k.Digest]++
	c.mu.Unlock()
	return c.BlobStore.Get(ctx, k, offset)
}

// reads is how many times d was read.
func (c *countingStore) reads(d digest.Digest) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.each[d]
}

// An embedded worker reads each Directory of a recurring tree once; the
// next action's tree comes from the cache, whole.
func TestTreeCacheReadsEachDirectoryOnce(t *testing.T) {
	blobs := &countingStore{BlobStore: cas.NewMemoryStore()}
	root, all, err := client.BuildTree(digest.SHA256, []client.Input{
		{Path: "include/sys/a.h", Data: []byte("a")}, {Path: "include/b.h", Data: []byte("b")}, {Path: "x.c", Data: []byte("x")},
	})
	if err != nil {
		t.Fatal(err)
	}
	local := localCAS{blobs: blobs, fn: digest.SHA256}
	if err := local.Upload(context.Background(), all); err != nil {
		t.Fatal(err)
	}
	c := cas.NewDirectories(1 << 20)
	first, err := getTree(context.Background(), c, local, digest.SHA256, root)
	if err != nil {
		t.Fatal(err)
	}
	reads := blobs.gets.Load()
	if len(first) != 3 || reads != 3 {
		t.Fatalf("first tree: %d directories in %d reads, want 3 in 3", len(first), reads)
	}
	second, err := getTree(context.Background(), c, local, digest.SHA256, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 3 || blobs.gets.Load() != reads {
		t.Errorf("second tree: %d directories, %d more reads; want 3 and none", len(second), blobs.gets.Load()-reads)
	}
}

// The cache keeps at most its bound in serialised bytes, dropping the least
// recently used.
func TestTreeCacheBound(t *testing.T) {
	c := cas.NewDirectories(100)
	key := func(s string, size int64) cas.Key {
		return cas.Key{Function: digest.SHA256, Digest: digest.Digest{Hash: digest.SHA256.FromBytes([]byte(s)).Hash, Size: size}}
	}
	c.Add(key("a", 60), nil, 60)
	c.Add(key("b", 30), nil, 30)
	c.Get(key("a", 60))
	c.Add(key("c", 30), nil, 30)
	if _, ok := c.Get(key("b", 30)); ok {
		t.Error("the least recently used entry survived past the bound")
	}
	for _, k := range []cas.Key{key("a", 60), key("c", 30)} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s dropped", k.Digest)
		}
	}
}

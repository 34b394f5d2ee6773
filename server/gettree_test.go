package server

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// countingStore counts Get calls, and those of one key.
type countingStore struct {
	cas.BlobStore
	watch      atomic.Value // of cas.Key
	gets, hits atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, k cas.Key, off int64) (io.ReadCloser, error) {
	c.gets.Add(1)
	if w, _ := c.watch.Load().(cas.Key); w == k {
		c.hits.Add(1)
	}
	return c.BlobStore.Get(ctx, k, off)
}

// A tree of 2000 directories read one page per call, each call resuming
// from the last token: every page is the matching slice of the whole walk,
// and no call after the first re-walks from the root (a re-walk reads the
// root first). The server reads ahead of a slow reader by the stream's
// flow-control window, so the total read count is logged, not asserted.
func TestGetTreePagesAreLinear(t *testing.T) {
	store := &countingStore{BlobStore: cas.NewMemoryStore()}
	e := start(t, store, Options{})
	const n, pageSize = 2000, 50
	root := bigTree(t, e, n)
	var whole []string
	readPages(t, e, root, pageSize, "", -1, func(names []string, _ string) { whole = append(whole, names...) })
	if len(whole) != n+1 {
		t.Fatalf("whole walk: %d directories, want %d", len(whole), n+1)
	}
	store.gets.Store(0)
	store.watch.Store(cas.Key{Function: digest.SHA256, Digest: mustDigest(t, root)})
	var paged []string
	pages := 0
	for token := ""; ; pages++ {
		next := ""
		readPages(t, e, root, pageSize, token, 1, func(names []string, tok string) {
			if tok != "" && len(names) != pageSize {
				t.Errorf("page %d: %d directories, want %d", pages, len(names), pageSize)
			}
			paged, next = append(paged, names...), tok
		})
		if next == "" {
			break
		}
		token = next
	}
	if strings.Join(paged, ",") != strings.Join(whole, ",") {
		t.Errorf("pages one call each differ from the whole walk (%d vs %d directories)", len(paged), len(whole))
	}
	t.Logf("%d pages of %d, %d directory reads for %d directories", pages+1, pageSize, store.gets.Load(), n+1)
	if pages < n/pageSize {
		t.Errorf("%d pages, want %d", pages+1, n/pageSize+1)
	}
	if got := store.hits.Load(); got != 1 {
		t.Errorf("root read %d times over %d calls, want once: calls re-walk the tree", got, pages+1)
	}
}

func mustDigest(t *testing.T, p *repb.Digest) digest.Digest {
	d, err := digest.FromProto(p)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// bigTree stores a root with n subdirectories, each about 1 KiB, so that
// the stream's flow-control window holds few pages beyond the one read.
func bigTree(t *testing.T, e *env, n int) *repb.Digest {
	t.Helper()
	var subs []*repb.DirectoryNode
	var batch []*repb.BatchUpdateBlobsRequest_Request
	flush := func() {
		update(t, e, repb.DigestFunction_SHA256, batch...)
		batch = nil
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("d%05d", i)
		d, b, err := digest.SHA256.FromMessage(&repb.Directory{
			Files: []*repb.FileNode{{Name: name + strings.Repeat("x", 1000), Digest: sha(name)}}})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, &repb.DirectoryNode{Name: name, Digest: d.Proto()})
		if batch = append(batch, &repb.BatchUpdateBlobsRequest_Request{Digest: d.Proto(), Data: b}); len(batch) == 500 {
			flush()
		}
	}
	flush()
	return putDir(t, e, "root", subs...).Digest
}

// readPages reads up to max pages (all when max < 0) of a GetTree call.
func readPages(t *testing.T, e *env, root *repb.Digest, size int32, token string, max int, got func([]string, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := e.cas.GetTree(ctx, &repb.GetTreeRequest{RootDigest: root, PageSize: size, PageToken: token})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; max < 0 || i < max; i++ {
		resp, err := stream.Recv()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range resp.GetDirectories() {
			names = append(names, d.GetFiles()[0].GetName())
		}
		got(names, resp.GetNextPageToken())
	}
}

package worker

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

func newTestCache(t testing.TB, max int64) *fileCache {
	t.Helper()
	c, err := newFileCache(filepath.Join(t.TempDir(), "cache"), max)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func blobKey(data string) fileKey {
	return fileKey{fn: digest.SHA256, d: digest.SHA256.FromBytes([]byte(data))}
}

// insert adds data to c and unpins it at once.
func insert(t *testing.T, c *fileCache, data string) fileKey {
	t.Helper()
	k := blobKey(data)
	f, err := c.insertBytes(k, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	c.release(map[fileKey]*cachedFile{k: f})
	return k
}

// cached reports whether c holds k, without refreshing it.
func cached(c *fileCache, k fileKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.files[k]
	return ok
}

func TestFileCacheBoundEvictsLeastRecentlyUsed(t *testing.T) {
	c := newTestCache(t, 300)
	a := insert(t, c, strings.Repeat("a", 100))
	b := insert(t, c, strings.Repeat("b", 100))
	cc := insert(t, c, strings.Repeat("c", 100))
	have, missing := c.acquire([]fileKey{a}) // a is now the most recent
	if len(missing) != 0 {
		t.Fatalf("a missing from a cache under its bound")
	}
	c.release(have)
	d := insert(t, c, strings.Repeat("d", 100))
	for k, want := range map[fileKey]bool{a: true, b: false, cc: true, d: true} {
		if cached(c, k) != want {
			t.Errorf("%s cached: %v, want %v", k.d, !want, want)
		}
	}
	if _, err := os.Stat(c.pathOf(b)); !os.IsNotExist(err) {
		t.Errorf("evicted file still on disk: %v", err)
	}
	if size, n := c.stats(); size != 300 || n != 3 {
		t.Errorf("cache holds %d bytes in %d files, want 300 in 3", size, n)
	}
}

func TestFileCachePinnedFilesOutliveTheBound(t *testing.T) {
	c := newTestCache(t, 100)
	k := blobKey(strings.Repeat("p", 100))
	f, err := c.insertBytes(k, []byte(strings.Repeat("p", 100)))
	if err != nil {
		t.Fatal(err)
	}
	other := insert(t, c, strings.Repeat("o", 100)) // over the bound while k is pinned
	if !cached(c, k) || cached(c, other) {
		t.Errorf("pinned file evicted, or the unpinned one kept")
	}
	c.release(map[fileKey]*cachedFile{k: f})
	if size, _ := c.stats(); size > 100 {
		t.Errorf("cache holds %d bytes after release, bound 100", size)
	}
}

func TestFileCacheVerifiesOnInsert(t *testing.T) {
	c := newTestCache(t, 1<<20)
	_, err := c.insertBytes(blobKey("right"), []byte("wrong"))
	if status.Code(err) != codes.DataLoss {
		t.Fatalf("insert of mismatched content: %v, want DataLoss", err)
	}
	if _, n := c.stats(); n != 0 {
		t.Errorf("mismatched content was cached")
	}
	k := blobKey("right")
	if _, err := c.insertFrom(k, strings.NewReader("wrong")); status.Code(err) != codes.DataLoss {
		t.Fatalf("streamed insert of mismatched content: %v, want DataLoss", err)
	}
	var left []string
	filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("failed inserts left files in the cache directory: %v", left)
	}
}

func TestCachedFilesAreReadOnly(t *testing.T) {
	c := newTestCache(t, 1<<20)
	for _, exec := range []bool{false, true} {
		k := blobKey("content")
		k.executable = exec
		f, err := c.insertBytes(k, []byte("content"))
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(f.path)
		if err != nil || fi.Mode().Perm() != fileMode(exec) || fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("cached file mode %v (%v), want %v", fi.Mode(), err, fileMode(exec))
		}
	}
	if fi, err := os.Stat(c.dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory mode %v (%v), want 0700", fi.Mode(), err)
	}
}

// stageTree stages root into a fresh directory and returns it.
func stageTree(t testing.TB, s staging, root digest.Digest) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "root")
	if _, err := stageInputs(context.Background(), s, root, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestStagingFetchesEachBlobOncePerWorker(t *testing.T) {
	store := newMemCAS(digest.SHA256)
	h := []byte("#define H 1\n")
	root := store.tree(t, []client.Input{{Path: "a/h.h", Data: h}, {Path: "b/h.h", Data: h}, {Path: "c.c", Data: []byte("int c;\n")}})
	s := staging{store: store, fn: digest.SHA256, cache: newTestCache(t, 1<<20), link: true}
	first, second := stageTree(t, s, root), stageTree(t, s, root)
	if n := store.readCount(digest.SHA256.FromBytes(h)); n != 1 {
		t.Errorf("the header crossed the wire %d times for two actions, want 1", n)
	}
	for _, dir := range []string{first, second} {
		if got, err := os.ReadFile(filepath.Join(dir, "b", "h.h")); err != nil || !bytes.Equal(got, h) {
			t.Errorf("staged %q (%v)", got, err)
		}
	}
	a, _ := os.Stat(filepath.Join(first, "a", "h.h"))
	b, _ := os.Stat(filepath.Join(second, "b", "h.h"))
	if !os.SameFile(a, b) {
		t.Errorf("the two actions' copies of one header are not links to one file")
	}
}

func TestEvictionLeavesRunningActionsTheirLinks(t *testing.T) {
	store := newMemCAS(digest.SHA256)
	old := []byte(strings.Repeat("old\n", 100))
	oldRoot := store.tree(t, []client.Input{{Path: "old.h", Data: old}})
	newRoot := store.tree(t, []client.Input{{Path: "new.h", Data: []byte(strings.Repeat("new\n", 100))}})
	s := staging{store: store, fn: digest.SHA256, cache: newTestCache(t, 500), link: true}
	running := stageTree(t, s, oldRoot) // an action that still runs...
	stageTree(t, s, newRoot)            // ...while another's inputs evict its header
	if cached(s.cache, fileKey{fn: digest.SHA256, d: digest.SHA256.FromBytes(old)}) {
		t.Fatal("the old header was not evicted: the test proves nothing")
	}
	if got, err := os.ReadFile(filepath.Join(running, "old.h")); err != nil || !bytes.Equal(got, old) {
		t.Errorf("the running action's header after eviction: %q, %v", got, err)
	}
	again := stageTree(t, s, oldRoot)
	if got, err := os.ReadFile(filepath.Join(again, "old.h")); err != nil || !bytes.Equal(got, old) {
		t.Errorf("restaged after eviction: %q, %v", got, err)
	}
	if n := store.readCount(digest.SHA256.FromBytes(old)); n != 2 {
		t.Errorf("the evicted header was fetched %d times in all, want 2", n)
	}
}

func TestCorruptCachedFileIsFetchedAgain(t *testing.T) {
	for _, tc := range []struct {
		name        string
		sampleEvery uint64
		keepMtime   bool // the corruption hides from the stat: only hashing finds it
	}{
		{"stat", 0, false},
		{"sampled-hash", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newMemCAS(digest.SHA256)
			h := []byte("#define GOOD 1\n")
			root := store.tree(t, []client.Input{{Path: "h.h", Data: h}})
			s := staging{store: store, fn: digest.SHA256, cache: newTestCache(t, 1<<20), link: true}
			s.cache.sampleEvery = tc.sampleEvery
			stageTree(t, s, root)
			corrupt(t, s.cache.pathOf(fileKey{fn: digest.SHA256, d: digest.SHA256.FromBytes(h)}), tc.keepMtime)
			dir := stageTree(t, s, root)
			if got, _ := os.ReadFile(filepath.Join(dir, "h.h")); !bytes.Equal(got, h) {
				t.Errorf("staged %q from a corrupt cache, want %q", got, h)
			}
			if n := store.readCount(digest.SHA256.FromBytes(h)); n != 2 {
				t.Errorf("header fetched %d times, want 2 (once more after the corruption)", n)
			}
		})
	}
}

// corrupt changes the file at p in place, keeping its size, and, when
// keepMtime, its modification time.
func corrupt(t *testing.T, p string, keepMtime bool) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	b, _ := os.ReadFile(p)
	b[len(b)-2] = 'X'
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, fi.Mode().Perm())
	if keepMtime {
		os.Chtimes(p, time.Time{}, fi.ModTime())
	} else {
		os.Chtimes(p, time.Time{}, fi.ModTime().Add(time.Second))
	}
}

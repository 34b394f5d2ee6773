package wrapper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/digest"
)

func TestDigestCache(t *testing.T) {
	state := t.TempDir()
	h := filepath.Join(t.TempDir(), "sys.h")
	os.WriteFile(h, []byte("one"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(h, old, old)
	// An old mtime is not enough: the change (the ctime) must be older
	// than the racy window too.
	time.Sleep(racyWindow + 100*time.Millisecond)

	files := []systemFile{{path: h}}
	if err := digestSystem(state, files); err != nil {
		t.Fatal(err)
	}
	if files[0].digest != digest.BLAKE3.FromBytes([]byte("one")) {
		t.Fatalf("digest = %v", files[0].digest)
	}
	if d, ok := loadDigestCache(state, digest.BLAKE3).lookup(h); !ok || d != files[0].digest {
		t.Fatalf("the digest was not remembered: %v %v", d, ok)
	}

	// Same size, same mtime, new content: the ctime still tells.
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(h, []byte("two"), 0o644)
	os.Chtimes(h, old, old)
	files = []systemFile{{path: h}}
	if err := digestSystem(state, files); err != nil {
		t.Fatal(err)
	}
	if files[0].digest != digest.BLAKE3.FromBytes([]byte("two")) {
		t.Fatal("a changed header was served from the digest cache")
	}
}

func TestDigestCacheSkipsRacyFiles(t *testing.T) {
	state := t.TempDir()
	h := filepath.Join(t.TempDir(), "fresh.h")
	os.WriteFile(h, []byte("just written"), 0o644)
	old := time.Now().Add(-time.Hour) // as a tarball leaves it: only the ctime is new
	os.Chtimes(h, old, old)
	if err := digestSystem(state, []systemFile{{path: h}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := loadDigestCache(state, digest.BLAKE3).lookup(h); ok {
		t.Error("a file modified a moment ago was remembered")
	}
}

func TestDigestCacheIgnoresDamage(t *testing.T) {
	state := t.TempDir()
	os.WriteFile(filepath.Join(state, "digests-blake3"), []byte("garbage\n/x\tnot a key\n\x00\x01"), 0o644)
	h := filepath.Join(t.TempDir(), "a.h")
	os.WriteFile(h, []byte("a"), 0o644)
	files := []systemFile{{path: h}}
	if err := digestSystem(state, files); err != nil || files[0].digest != digest.BLAKE3.FromBytes([]byte("a")) {
		t.Fatalf("digest %v, %v", files[0].digest, err)
	}
}

// TestDigestCacheRefusesALineWhoseSumDiffers: a hash changed on disk
// would key a compile by another content; a line without a sum is an
// earlier version's. Neither is an entry.
func TestDigestCacheRefusesALineWhoseSumDiffers(t *testing.T) {
	h := filepath.Join(t.TempDir(), "a.h")
	os.WriteFile(h, []byte("a"), 0o644)
	st := statOf(h)
	d := digest.BLAKE3.FromBytes([]byte("a"))
	body := statText(st) + " " + d.String()
	c := &digestCache{fn: digest.BLAKE3, entries: map[string]string{h: body + " " + lineSum(h, body)}}
	if got, ok := c.lookup(h); !ok || got != d {
		t.Fatalf("a sound line: %v %v", got, ok)
	}
	changed := statText(st) + " " + digest.BLAKE3.FromBytes([]byte("b")).String()
	for name, line := range map[string]string{
		"hash changed":         changed + " " + lineSum(h, body),
		"no sum":               body,
		"hash changed, no sum": changed,
		"sum changed":          body + " " + lineSum(h, changed),
	} {
		c.entries[h] = line
		if got, ok := c.lookup(h); ok {
			t.Errorf("%s: served %v", name, got)
		}
	}
}

// digestSystem digests files as a compile does, saving what it learnt.
func digestSystem(state string, files []systemFile) error {
	caches := newDigestCaches(state)
	defer caches.save()
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.path
	}
	return digestSystemFiles(caches, files, stampsFor(paths))
}

// digestProject digests the tree's files as a compile does: stamped first,
// then digested, then saved.
func digestProject(t *testing.T, state string, fn digest.Function, paths ...string) []projectFile {
	t.Helper()
	tree := make([]projectFile, len(paths))
	for i, p := range paths {
		tree[i] = projectFile{clean: p, read: p, printed: p}
	}
	caches := newDigestCaches(state)
	if err := digestProjectFiles(caches, fn, tree, stampsFor(paths)); err != nil {
		t.Fatal(err)
	}
	caches.save()
	return tree
}

func TestProjectDigestsByStat(t *testing.T) {
	state, dir := t.TempDir(), t.TempDir()
	h, fresh := filepath.Join(dir, "old.h"), filepath.Join(dir, "fresh.h")
	os.WriteFile(h, []byte("one"), 0o644)
	time.Sleep(racyWindow + 100*time.Millisecond)
	os.WriteFile(fresh, []byte("fresh"), 0o644)

	for _, fn := range digest.Functions {
		tree := digestProject(t, state, fn, h, fresh)
		if tree[0].digest != fn.FromBytes([]byte("one")) || tree[1].digest != fn.FromBytes([]byte("fresh")) {
			t.Fatalf("%s: digests %v %v", fn, tree[0].digest, tree[1].digest)
		}
		cache := loadDigestCache(state, fn)
		if d, ok := cache.lookup(h); !ok || d != tree[0].digest {
			t.Errorf("%s: an old file's digest was not remembered", fn)
		}
		if _, ok := cache.lookup(fresh); ok {
			t.Errorf("%s: a file changed a moment ago was remembered", fn)
		}
	}

	// A remembered digest is not used for a file whose stat changed, even
	// when only the ctime tells.
	st, _ := os.Stat(h)
	os.WriteFile(h, []byte("two"), 0o644)
	os.Chtimes(h, st.ModTime(), st.ModTime())
	if tree := digestProject(t, state, digest.SHA256, h); tree[0].digest != digest.SHA256.FromBytes([]byte("two")) {
		t.Fatal("a changed header was served from the digest cache")
	}
}

func TestDigestCacheCompacts(t *testing.T) {
	state := t.TempDir()
	path := filepath.Join(state, "digests-blake3")
	line := strings.Repeat("x", 200) + "\t1 2 3 4 5 " + digest.BLAKE3.FromBytes(nil).String() + "\n"
	os.WriteFile(path, []byte(strings.Repeat(line, maxCacheBytes/len(line)+1)), 0o644)
	c := loadDigestCache(state, digest.BLAKE3)
	c.added = []string{"/new\t1 2 3 4 5 " + digest.BLAKE3.FromBytes(nil).String()}
	c.save()
	data, _ := os.ReadFile(path)
	if len(data) > maxCacheBytes/2 || !strings.Contains(string(data), "/new\t") {
		t.Fatalf("after compaction: %d bytes, new line kept: %v", len(data), strings.Contains(string(data), "/new\t"))
	}
}

// TestStatText: the stat part of an entry keeps the format earlier
// processes wrote, so that their entries still match.
func TestStatText(t *testing.T) {
	st := fileStat{exists: true, size: 12, mtime: 3_000_000_004, ctime: -4_999_999_994,
		dev: 1 << 63, ino: 42}
	const want = "12 3000000004 -4999999994 9223372036854775808 42" // size, mtime and ctime in ns, device, inode
	if got := statText(st); got != want {
		t.Errorf("statText = %q, want %q", got, want)
	}
}

package wrapper

import (
	"os"
	"path/filepath"
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
	if err := digestSystemFiles(state, files); err != nil {
		t.Fatal(err)
	}
	if files[0].digest != digest.BLAKE3.FromBytes([]byte("one")) {
		t.Fatalf("digest = %v", files[0].digest)
	}
	if d, ok := loadDigestCache(state).lookup(h); !ok || d != files[0].digest {
		t.Fatalf("the digest was not remembered: %v %v", d, ok)
	}

	// Same size, same mtime, new content: the ctime still tells.
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(h, []byte("two"), 0o644)
	os.Chtimes(h, old, old)
	files = []systemFile{{path: h}}
	if err := digestSystemFiles(state, files); err != nil {
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
	if err := digestSystemFiles(state, []systemFile{{path: h}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := loadDigestCache(state).lookup(h); ok {
		t.Error("a file modified a moment ago was remembered")
	}
}

func TestDigestCacheIgnoresDamage(t *testing.T) {
	state := t.TempDir()
	os.WriteFile(filepath.Join(state, "system-digests"), []byte("garbage\n/x\tnot a key\n\x00\x01"), 0o644)
	h := filepath.Join(t.TempDir(), "a.h")
	os.WriteFile(h, []byte("a"), 0o644)
	files := []systemFile{{path: h}}
	if err := digestSystemFiles(state, files); err != nil || files[0].digest != digest.BLAKE3.FromBytes([]byte("a")) {
		t.Fatalf("digest %v, %v", files[0].digest, err)
	}
}

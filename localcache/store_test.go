package localcache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rexbuild/rex/digest"
)

func fileWith(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func usage(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "size" {
			info, _ := d.Info()
			n += info.Size()
		}
		return nil
	})
	return n
}

func TestBlobRoundTripAndCorruption(t *testing.T) {
	s := Open(t.TempDir(), 1<<30)
	src := fileWith(t, t.TempDir(), "a.o", []byte("object code"))
	d, err := s.AddFile(src)
	if err != nil || d != digest.SHA256.FromBytes([]byte("object code")) {
		t.Fatalf("AddFile = %v, %v", d, err)
	}
	out := t.TempDir()
	tmp, err := s.CopyBlob(d, out, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(tmp); !bytes.Equal(got, []byte("object code")) {
		t.Fatalf("copied %q", got)
	}
	if st, _ := os.Stat(tmp); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	// A blob damaged on disk is refused and removed, not served.
	p := s.Path(Blobs, d.Hash)
	os.Chmod(p, 0o644)
	os.WriteFile(p, []byte("object cod3"), 0o644)
	if _, err := s.CopyBlob(d, out, 0o644); err == nil {
		t.Fatal("a corrupt blob was served")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Error("the corrupt blob is still there")
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		t.Errorf("%d files left in the output dir, want only the first copy", len(entries))
	}
}

// The store stays within its bound, and what goes first is what was used
// least recently.
func TestBoundAndLeastRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	const limit = 16 * 64 << 10 // 64 KiB a shard
	s := Open(dir, limit)
	blob := bytes.Repeat([]byte("x"), 8<<10)
	key := func(i int) string { return fmt.Sprintf("a%063x", i) } // one shard
	for i := 0; i < 4; i++ {
		if err := s.Put(Results, key(i), blob); err != nil {
			t.Fatal(err)
		}
	}
	// Age them, then use the first: it must outlive the others.
	old := time.Now().Add(-time.Hour)
	for i := 0; i < 4; i++ {
		os.Chtimes(s.Path(Results, key(i)), old.Add(time.Duration(i)*time.Second), old.Add(time.Duration(i)*time.Second))
	}
	if _, ok := s.Get(Results, key(0)); !ok {
		t.Fatal("entry 0 missing")
	}
	// Past the bound (9 of 8 entries' room): an eviction down to 80%.
	for i := 4; i < 9; i++ {
		if err := s.Put(Results, key(i), blob); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := s.Get(Results, key(0)); !ok {
		t.Error("the entry used last was evicted")
	}
	if _, ok := s.Get(Results, key(1)); ok {
		t.Error("the least recently used entry survived")
	}
	for i := 9; i < 60; i++ {
		if err := s.Put(Results, key(i), blob); err != nil {
			t.Fatal(err)
		}
	}
	if n := usage(t, dir); n > limit/16 {
		t.Errorf("shard holds %d bytes, bound %d", n, limit/16)
	}
}

// Many processes add at once: the counter stays exact enough that the
// bound holds, and every reader sees whole entries.
func TestConcurrentAdds(t *testing.T) {
	dir := t.TempDir()
	const limit = 16 * 32 << 10
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := Open(dir, limit)
			for i := 0; i < 20; i++ {
				k := fmt.Sprintf("b%02d%061x", w, i)
				data := bytes.Repeat([]byte{byte(w)}, 4<<10)
				if err := s.Put(Results, k, data); err != nil {
					t.Error(err)
				}
				if got, ok := s.Get(Results, k); ok && !bytes.Equal(got, data) {
					t.Errorf("torn entry %s", k)
				}
			}
		}()
	}
	wg.Wait()
	if n := usage(t, dir); n > limit/16 {
		t.Errorf("shard holds %d bytes, bound %d", n, limit/16)
	}
}

func TestOffIsNil(t *testing.T) {
	if Open(t.TempDir(), 0) != nil {
		t.Fatal("a zero bound opened a store")
	}
	var s *Store
	if _, ok := s.Get(Results, "ab"); ok {
		t.Fatal("a nil store had an entry")
	}
}

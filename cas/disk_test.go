package cas

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

func openDisk(t *testing.T, dir string, max int64) BlobStore {
	t.Helper()
	s, err := OpenDiskStore(dir, DiskOptions{MaxSize: max})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawDisk unwraps the decorators of a store from OpenDiskStore.
func rawDisk(s BlobStore) *diskStore {
	return s.(*verifyingStore).BlobStore.(*emptyBlobStore).inner.(*diskStore)
}

// onDisk reports whether k's file exists, without refreshing it.
func onDisk(s BlobStore, k Key) bool {
	_, err := os.Stat(rawDisk(s).path(k))
	return err == nil
}

func present(t *testing.T, s BlobStore, k Key) bool {
	t.Helper()
	m, err := s.FindMissing(context.Background(), []Key{k})
	if err != nil {
		t.Fatal(err)
	}
	return len(m) == 0
}

func TestDiskSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	k := put(t, openDisk(t, dir, 0), digest.BLAKE3, "persistent")
	if got, code := get(t, openDisk(t, dir, 0), k, 0); code != codes.OK || got != "persistent" {
		t.Errorf("after reopen Get = %q %v", got, code)
	}
}

// A crash mid-write leaves a temp file, or at worst a short file in place;
// neither is ever served after a restart.
func TestDiskIgnoresTornFilesAtReopen(t *testing.T) {
	dir := t.TempDir()
	s := rawDisk(openDisk(t, dir, 0))
	good := put(t, openDisk(t, dir, 0), digest.SHA256, "good blob")
	torn := keyFor(digest.SHA256, []byte("torn blob"))
	os.WriteFile(filepath.Join(dir, "tmp", "put-123"), []byte("torn"), 0o644)
	os.MkdirAll(filepath.Dir(s.path(torn)), 0o755)
	os.WriteFile(s.path(torn), []byte("torn"), 0o644) // short: size mismatch
	os.WriteFile(filepath.Join(filepath.Dir(s.path(good)), "junk"), []byte("x"), 0o644)

	r := openDisk(t, dir, 0)
	if present(t, r, torn) {
		t.Error("torn blob reported present after reopen")
	}
	if _, code := get(t, r, torn, 0); code != codes.NotFound {
		t.Errorf("torn blob Get = %v, want NotFound", code)
	}
	if got, _ := get(t, r, good, 0); got != "good blob" {
		t.Errorf("good blob lost: %q", got)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(left) != 0 {
		t.Errorf("temp files left after reopen: %v", left)
	}
}

func TestDiskEvictsLeastRecentlyUsed(t *testing.T) {
	s := openDisk(t, t.TempDir(), 30) // room for three 10-byte blobs
	a := put(t, s, digest.SHA256, "aaaaaaaaaa")
	b := put(t, s, digest.SHA256, "bbbbbbbbbb")
	c := put(t, s, digest.SHA256, "cccccccccc")
	get(t, s, a, 0)                               // a is now newer than b
	s.FindMissing(context.Background(), []Key{b}) // b newer than c
	d := put(t, s, digest.SHA256, "dddddddddd")
	for k, want := range map[Key]bool{a: true, b: true, c: false, d: true} {
		if got := onDisk(s, k); got != want {
			t.Errorf("%s present = %v, want %v", k, got, want)
		}
	}
	e := put(t, s, digest.SHA256, "eeeeeeeeee") // evicts a, then the order is b d e
	if onDisk(s, a) {
		t.Error("a survived although least recently used")
	}
	if !onDisk(s, e) {
		t.Error("new blob evicted")
	}
}

func TestDiskRefusesBlobLargerThanLimit(t *testing.T) {
	s := openDisk(t, t.TempDir(), 10)
	data := strings.Repeat("x", 11)
	err := s.Put(context.Background(), keyFor(digest.SHA256, []byte(data)), strings.NewReader(data))
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("Put 11 bytes into 10: %v, want ResourceExhausted", err)
	}
}

func TestDiskRebuildsOrderFromMtimes(t *testing.T) {
	dir := t.TempDir()
	s := openDisk(t, dir, 0)
	raw := rawDisk(s)
	old := put(t, s, digest.SHA256, "old-old-ol")
	young := put(t, s, digest.SHA256, "young-youn")
	now := time.Now()
	os.Chtimes(raw.path(old), now, now)
	os.Chtimes(raw.path(young), now.Add(-time.Hour), now.Add(-time.Hour)) // young was used longest ago
	r := openDisk(t, dir, 20)
	put(t, r, digest.SHA256, "new-new-ne")
	if onDisk(r, young) || !onDisk(r, old) {
		t.Errorf("after reopen, eviction ignored mtimes: young %v old %v", onDisk(r, young), onDisk(r, old))
	}
}

// A reader that opened a blob keeps reading it whole even if eviction
// removes it meanwhile.
func TestDiskEvictionKeepsOpenReadersWhole(t *testing.T) {
	s := openDisk(t, t.TempDir(), 20)
	a := put(t, s, digest.SHA256, "aaaaaaaaaa")
	rc, err := s.Get(context.Background(), a, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	put(t, s, digest.SHA256, "bbbbbbbbbb")
	put(t, s, digest.SHA256, "cccccccccc") // evicts a
	if present(t, s, a) {
		t.Fatal("a not evicted")
	}
	if b, err := io.ReadAll(rc); err != nil || string(b) != "aaaaaaaaaa" {
		t.Errorf("open reader got %q, %v", b, err)
	}
}

// Concurrent puts, reads and refreshes on a store that evicts constantly:
// every read that succeeds returns the whole, correct blob.
func TestDiskConcurrentEvictionNeverServesTornData(t *testing.T) {
	s := openDisk(t, t.TempDir(), 4<<10)
	blobs := make([][]byte, 16)
	for i := range blobs {
		blobs[i] = bytesOf(byte('a'+i), 1<<10)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				data := blobs[(i*7+w)%len(blobs)]
				k := keyFor(digest.SHA256, data)
				switch i % 3 {
				case 0:
					if err := s.Put(context.Background(), k, bytes.NewReader(data)); err != nil {
						t.Errorf("Put: %v", err)
					}
				case 1:
					s.FindMissing(context.Background(), []Key{k})
				case 2:
					rc, err := s.Get(context.Background(), k, 0)
					if status.Code(err) == codes.NotFound {
						continue
					}
					if err != nil {
						t.Errorf("Get: %v", err)
						continue
					}
					got, err := io.ReadAll(rc)
					rc.Close()
					if err != nil || !bytes.Equal(got, data) {
						t.Errorf("Get %s returned %d bytes, %v", k, len(got), err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if total := rawDisk(s).idx.total; total > 4<<10 {
		t.Errorf("store holds %d bytes, limit %d", total, 4<<10)
	}
}

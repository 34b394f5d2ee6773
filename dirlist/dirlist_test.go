package dirlist

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every name of a directory, read over several buffers of raw entries;
// a missing directory cannot be read.
func TestReadNames(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for i := range 3000 {
		name := fmt.Sprintf("%s-%d.h", strings.Repeat("n", i%40), i) // 32 KiB of entries and more
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	want = append(want, "sub")
	st, err := StatOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	names, ok := New().Read(dir, st)
	if !ok || names.Len() != len(want) {
		t.Fatalf("read %v, want %d names", ok, len(want))
	}
	for _, n := range want {
		if !names.Has(n) {
			t.Errorf("%s missing", n)
		}
	}
	for _, n := range []string{".", "..", "", "absent.h"} {
		if names.Has(n) {
			t.Errorf("%q listed", n)
		}
	}
	if _, ok := New().Read(filepath.Join(dir, "none"), st); ok {
		t.Error("a missing directory was read")
	}
}

// oldDir is a directory whose mtime is in the past, so that any change
// to its entries shows in its stat data, and a cache that trusts it.
func oldDir(t *testing.T) (string, *Cache) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.h"), nil, 0o644)
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(dir, past, past); err != nil {
		t.Fatal(err)
	}
	c := New()
	c.window = 0 // the ctime is new: trust it anyway
	return dir, c
}

// A directory read under the same, trusted stat data is not read again.
func TestUnchangedDirIsKept(t *testing.T) {
	dir, c := oldDir(t)
	st, _ := StatOf(dir)
	first, ok := c.Read(dir, st)
	if !ok || !first.Has("a.h") {
		t.Fatal("not read")
	}
	if again, _ := c.Read(dir, st); again != first {
		t.Error("read again under the same stat data")
	}
}

// A directory whose entries changed is read again.
func TestChangedDirIsReread(t *testing.T) {
	dir, c := oldDir(t)
	st, _ := StatOf(dir)
	if names, _ := c.Read(dir, st); names.Has("b.h") {
		t.Fatal("b.h before it was made")
	}
	os.WriteFile(filepath.Join(dir, "b.h"), nil, 0o644)
	st2, _ := StatOf(dir)
	if st2 == st {
		t.Fatal("creating a file left the stat data as it was")
	}
	if names, _ := c.Read(dir, st2); !names.Has("b.h") {
		t.Error("the changed directory's old names were used")
	}
}

// A directory changed within RacyWindow of its read is never taken from
// the cache: a change in the same timestamp tick would not show in its
// stat data (here the stat data passed are the old ones, as such a change
// would leave them; the read, which finds the directory's stat data
// changed, may then answer that it cannot tell).
func TestRacyListingIsNotUsed(t *testing.T) {
	dir := t.TempDir()
	c := New()
	st, _ := StatOf(dir)
	if names, _ := c.Read(dir, st); names.Has("b.h") {
		t.Fatal("b.h before it was made")
	}
	os.WriteFile(filepath.Join(dir, "b.h"), nil, 0o644)
	if names, ok := c.Read(dir, st); ok && !names.Has("b.h") {
		t.Error("a listing of a just-changed directory was used again")
	}
}

// A nil cache reads every time.
func TestNilCache(t *testing.T) {
	dir, _ := oldDir(t)
	st, _ := StatOf(dir)
	var c *Cache
	if names, ok := c.Read(dir, st); !ok || !names.Has("a.h") {
		t.Error("nil cache did not read")
	}
}

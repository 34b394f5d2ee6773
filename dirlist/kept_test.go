package dirlist

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// openOld is Open with a cache that trusts new directories (see oldDir).
func openOld(kept string) *Cache {
	c := Open(kept)
	c.window = 0
	return c
}

// A trusted read is kept, and a later compile's cache uses it while the
// directory's stat data are the same.
func TestKeptReadIsUsedLater(t *testing.T) {
	dir, _ := oldDir(t)
	kept := t.TempDir()
	st, _ := StatOf(dir)
	if names, ok := openOld(kept).Read(dir, st); !ok || !names.Has("a.h") {
		t.Fatal("not read")
	}
	file := openOld(kept).keptPath(keyOf(dir, st))
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("not kept: %v", err)
	}
	// Used without reading the directory: a name only the kept file has.
	fake := openOld(kept)
	fake.keep(keyOf(dir, st), &Names{set: map[string]struct{}{"kept-only.h": {}}})
	if names, ok := openOld(kept).Read(dir, st); !ok || !names.Has("kept-only.h") || names.Has("a.h") {
		t.Error("the kept read was not used")
	}
}

// A directory that changed since it was kept is read again (and kept
// anew); a kept read is never used under other stat data.
func TestKeptReadOfChangedDirIsNotUsed(t *testing.T) {
	dir, _ := oldDir(t)
	kept := t.TempDir()
	st, _ := StatOf(dir)
	openOld(kept).Read(dir, st)
	os.WriteFile(filepath.Join(dir, "b.h"), nil, 0o644)
	st2, _ := StatOf(dir)
	if st2 == st {
		t.Fatal("creating a file left the stat data as they were")
	}
	names, ok := openOld(kept).Read(dir, st2)
	if !ok || !names.Has("b.h") {
		t.Fatal("the changed directory's kept names were used")
	}
	if again, _ := openOld(kept).load(keyOf(dir, st2)); again == nil || !again.Has("b.h") {
		t.Error("the new read was not kept")
	}
	if _, ok := openOld(kept).load(keyOf(dir, st)); ok {
		t.Error("the read under the old stat data still loads")
	}
}

// A read of a directory changed within RacyWindow is not kept.
func TestRacyReadIsNotKept(t *testing.T) {
	dir := t.TempDir()
	kept := t.TempDir()
	st, _ := StatOf(dir)
	Open(kept).Read(dir, st)
	if entries, _ := os.ReadDir(kept); len(entries) != 0 {
		t.Errorf("kept %d files of a just-made directory", len(entries))
	}
}

// A damaged kept file reads as none.
func TestDamagedKeptFile(t *testing.T) {
	dir, _ := oldDir(t)
	kept := t.TempDir()
	st, _ := StatOf(dir)
	c := openOld(kept)
	k := keyOf(dir, st)
	c.keep(k, &Names{set: map[string]struct{}{"a.h": {}}})
	data, _ := os.ReadFile(c.keptPath(k))
	for _, bad := range [][]byte{data[:len(data)-1], append(data, 'x'), append(data, 0), []byte("rex dirlist 0\n")} {
		os.WriteFile(c.keptPath(k), bad, 0o600)
		if _, ok := openOld(kept).load(k); ok {
			t.Errorf("damaged file %q loaded", bad)
		}
	}
}

// A kept read names its directory: another directory with the same
// device, inode and stat data (an overlay's inodes may repeat) does not
// use it, and two spellings of one path share it.
func TestKeptReadIsForItsPath(t *testing.T) {
	dir, _ := oldDir(t)
	kept := t.TempDir()
	st, _ := StatOf(dir)
	openOld(kept).Read(dir, st)
	other := filepath.Join(t.TempDir(), "other")
	if _, ok := openOld(kept).load(keyOf(other, st)); ok {
		t.Error("a read kept for one path loaded for another")
	}
	if _, ok := openOld(kept).load(keyOf(filepath.Dir(dir)+"/./"+filepath.Base(dir), st)); !ok {
		t.Error("another spelling of the path did not load the kept read")
	}
	c := openOld(kept)
	if _, ok := c.Read(dir, st); !ok {
		t.Fatal("not read")
	}
	if _, ok := c.Known(other, st); ok {
		t.Error("a read of one path is known for another")
	}
}

// A kept file cut short just after one of its names, or with a byte of a
// name changed, still parses as names: it must read as none, or a name the
// directory holds (a precompiled header) would be taken as absent.
func TestKeptFileMissingANameIsNotUsed(t *testing.T) {
	dir, _ := oldDir(t)
	kept := t.TempDir()
	st, _ := StatOf(dir)
	c := openOld(kept)
	k := keyOf(dir, st)
	c.keep(k, &Names{set: map[string]struct{}{"a.h": {}, "x.h.gch": {}}})
	data, _ := os.ReadFile(c.keptPath(k))
	at := bytes.Index(data, []byte("x.h.gch\x00"))
	if at < 0 {
		t.Fatal("the kept file does not hold the name")
	}
	cut := append(append([]byte{}, data[:at]...), data[at+len("x.h.gch\x00"):]...)
	changed := bytes.Replace(data, []byte("x.h.gch"), []byte("x.h.gcX"), 1)
	for name, bad := range map[string][]byte{"cut after a name": cut, "a name changed": changed} {
		os.WriteFile(c.keptPath(k), bad, 0o600)
		if names, ok := openOld(kept).load(k); ok {
			t.Errorf("%s: loaded, x.h.gch listed: %v", name, names.Has("x.h.gch"))
		}
	}
}

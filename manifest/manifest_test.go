package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/digest"
)

// write creates path with its directories.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFact(t *testing.T, path string) File {
	t.Helper()
	st, err := StampOf(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := digest.BLAKE3.FromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return File{Path: path, Stamp: st, Hash: d, Function: digest.BLAKE3}
}

// since is a planning start long after the files were written, so that
// their stamps count (as if they had aged past the racy window).
func since() time.Time { return time.Now().Add(2 * RacyWindow) }

func TestFactsHoldUntilSomethingChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(dir string)
		holds  bool
	}{
		{"nothing", func(string) {}, true},
		{"header edited", func(d string) { os.WriteFile(d+"/b/h.h", []byte("#define X 2\n"), 0o644) }, false},
		{"header touched, same content", func(d string) {
			now := time.Now().Add(time.Hour)
			os.Chtimes(d+"/b/h.h", now, now)
		}, true},
		{"header removed", func(d string) { os.Remove(d + "/b/h.h") }, false},
		{"shadow in an earlier dir", func(d string) { os.WriteFile(d+"/a/h.h", nil, 0o644) }, false},
		{"shadow in a dir that did not exist", func(d string) { write(t, d+"/none/sub/h.h", "") }, false},
		{"dangling symlink in an earlier dir", func(d string) { os.Symlink("nowhere", d+"/a/h.h") }, false},
		{"unrelated file in an earlier dir", func(d string) { os.WriteFile(d+"/a/other.h", nil, 0o644) }, true},
		// A place that exists and was not read matters by its kind alone.
		{"present place edited", func(d string) { os.WriteFile(d+"/c/h.h", []byte("later"), 0o644) }, true},
		{"present place replaced by a copy", func(d string) {
			os.Rename(d+"/c/h.h", d+"/c/old")
			os.WriteFile(d+"/c/h.h", nil, 0o644)
		}, true},
		{"present place removed", func(d string) { os.Remove(d + "/c/h.h") }, false},
		{"present place now a directory", func(d string) {
			os.Remove(d + "/c/h.h")
			os.Mkdir(d+"/c/h.h", 0o755)
		}, false},
		{"directory in the way now a file", func(d string) {
			os.Remove(d + "/dir/h.h")
			os.WriteFile(d+"/dir/h.h", nil, 0o644)
		}, false},
		{"directory in the way now a symlink to one", func(d string) {
			os.Remove(d + "/dir/h.h")
			os.Symlink("../c", d+"/dir/h.h")
		}, true},
		{"directory in the way now a symlink to a file", func(d string) {
			os.Remove(d + "/dir/h.h")
			os.Symlink("../b/h.h", d+"/dir/h.h")
		}, false},
		{"dangling symlink's target created", func(d string) { os.WriteFile(d+"/nothing", nil, 0o644) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir+"/b/h.h", "#define X 1\n")
			write(t, dir+"/c/h.h", "")
			os.MkdirAll(dir+"/a", 0o755)
			os.MkdirAll(dir+"/dir/h.h", 0o755)
			os.MkdirAll(dir+"/link", 0o755)
			os.Symlink("../nothing", dir+"/link/h.h")
			places := []string{dir + "/a/h.h", dir + "/none/sub/h.h", dir + "/c/h.h", dir + "/dir/h.h", dir + "/link/h.h"}
			e, ok := Gather(since(), []File{readFact(t, dir+"/b/h.h")}, Places{Paths: places}, nil)
			if !ok {
				t.Fatal("Gather refused")
			}
			if !e.Holds() {
				t.Fatal("facts do not hold before any change")
			}
			tc.change(dir)
			if got := e.Holds(); got != tc.holds {
				t.Errorf("Holds() = %v after %s, want %v", got, tc.name, tc.holds)
			}
		})
	}
}

// A directory changed within the racy window is not trusted by its
// stamp: each of its places is checked, so a later change in the same
// timestamp tick is still seen.
func TestRacyDirectoryChecksEachPlace(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/b/h.h", "x")
	os.MkdirAll(dir+"/a", 0o755)
	e, ok := Gather(time.Now(), []File{readFact(t, dir+"/b/h.h")}, Places{Paths: []string{dir + "/a/h.h"}}, nil)
	if !ok {
		t.Fatal("Gather refused")
	}
	for _, d := range e.Dirs {
		if d.Stamp != (Stamp{}) {
			t.Errorf("racy directory %s kept its stamp", d.Path)
		}
	}
	if e.Files[0].Stamp != (Stamp{}) {
		t.Error("racy file kept its stamp")
	}
	if !e.Holds() {
		t.Fatal("racy facts do not hold")
	}
	os.WriteFile(dir+"/a/h.h", nil, 0o644)
	if e.Holds() {
		t.Fatal("a place filled within the racy window went unseen")
	}
}

// A place that exists and changed during the compile cannot be stated.
func TestGatherRefusesRacyPresentPlace(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/a/h.h", "")
	if _, ok := Gather(time.Now(), nil, Places{Paths: []string{dir + "/a/h.h"}}, nil); ok {
		t.Fatal("Gather recorded a place that appeared during the compile")
	}
}

func TestRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/h.h", "x")
	os.MkdirAll(dir+"/a/many", 0o755)
	var places []string
	for _, n := range []string{"x.h", "y.h", "sub/z.h"} {
		places = append(places, dir+"/a/"+n)
	}
	for i := 0; i < 20; i++ { // enough lookups for a directory listing
		places = append(places, filepath.Join(dir, "a/many", string(rune('a'+i))+".h"))
	}
	e, ok := Gather(since(), []File{readFact(t, dir+"/h.h")}, Places{Paths: append(places, "/"+filepath.Base(dir)+"-nope.h")}, nil)
	if !ok {
		t.Fatal("Gather refused")
	}
	e.Action, e.Replay = "ab/3", []byte("replay\x00data")
	got := Decode(Encode([]Entry{e}))
	if len(got) != 1 {
		t.Fatalf("decoded %d entries", len(got))
	}
	for _, dirs := range [][]Dir{e.Dirs, got[0].Dirs} {
		for i := range dirs {
			dirs[i].absentPaths()
		}
	}
	if diff := cmp.Diff(e, got[0], cmp.AllowUnexported(Dir{}, absentList{}), cmp.Comparer(func(a, b digest.Function) bool { return a == b })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	data := Encode([]Entry{e})
	for _, damaged := range [][]byte{data[:len(data)-1], append(data, 1), []byte("garbage")} {
		if Decode(damaged) != nil {
			t.Errorf("a damaged record decoded: %q", damaged)
		}
	}
	// A record of the first version (text lines) is a miss, not a misreading.
	if Decode([]byte("rex manifest 1\nentry ab/3 \nf 1 2 3 4 5 ab/1 /x\n")) != nil {
		t.Error("a damaged record decoded")
	}
}

func TestAddKeepsNewestAndBounds(t *testing.T) {
	var data []byte
	for i := 0; i < MaxEntries+3; i++ {
		data = Add(data, Entry{Action: string(rune('a'+i)) + "/1"})
	}
	data = Add(data, Entry{Action: "c/1"}) // again: moves to the front
	got := Decode(data)
	if len(got) != MaxEntries || got[0].Action != "c/1" {
		t.Fatalf("entries %d, newest %q", len(got), got[0].Action)
	}
	seen := map[string]bool{}
	for _, e := range got {
		if seen[e.Action] {
			t.Errorf("action %s kept twice", e.Action)
		}
		seen[e.Action] = true
	}
}

// A record Add builds is, byte for byte, the encoding of its entries,
// newest first; a damaged one is replaced by the new entry alone.
func TestAddIsEncode(t *testing.T) {
	a := Entry{Action: "a/1", Files: []File{{Path: "/x/a.h", Hash: digest.Digest{Hash: "ab", Size: 2}}},
		Dirs: []Dir{{Path: "/x", Absent: []string{"b.h", "c.h"}}}}
	b := Entry{Action: "b/1", Present: []Present{{Path: "/y/d.h", Kind: KindDir}},
		Dirs: []Dir{{Path: "/y", Absent: []string{"b.h"}}}}
	if got := Add(Add(nil, a), b); !bytes.Equal(got, Encode([]Entry{b, a})) {
		t.Errorf("Add(Add(nil, a), b) is not Encode(b, a)")
	}
	if got := Add([]byte(header+"\xff"), b); !bytes.Equal(got, Encode([]Entry{b})) {
		t.Errorf("Add to a damaged record is not Encode(b)")
	}
}

// Lookup takes the newest entry whose facts hold: a branch switched back
// finds its older record.
func TestLookupFindsAnOlderEntry(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/h.h", "one")
	one := readFact(t, dir+"/h.h")
	one.Stamp = Stamp{} // checked by content
	two := one
	two.Hash = digest.BLAKE3.FromBytes([]byte("two"))
	data := Add(Add(nil, Entry{Files: []File{one}, Action: "1/1"}),
		Entry{Files: []File{two}, Action: "2/1"})
	e, ok := Lookup(data)
	if !ok || e.Action != "1/1" {
		t.Fatalf("Lookup = %q, %v; want the entry for the content on disk", e.Action, ok)
	}
}

// A file that changed between its stamp and its hashing is stated with
// the old stamp and the new content's digest (the content the key covered):
// its stat no longer matches, so the fact holds only while the file holds
// that content.
func TestFactOfAFileChangedAfterItsStamp(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/h.h", "old")
	st, err := StampOf(dir + "/h.h")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // a new ctime, whatever the tick
	write(t, dir+"/h.h", "newer")
	hashed := readFact(t, dir+"/h.h")
	e, ok := Gather(since(), []File{{Path: dir + "/h.h", Stamp: st, Hash: hashed.Hash, Function: digest.BLAKE3}}, Places{}, nil)
	if !ok {
		t.Fatal("Gather refused")
	}
	if !e.Holds() {
		t.Fatal("the fact does not hold for the content it states")
	}
	write(t, dir+"/h.h", "old")
	if e.Holds() {
		t.Error("the fact holds for the content before the stamp's")
	}
}

// Directories that lack names in common, in another order, or none, each
// read back their own absent places: the encoding numbers each name once
// and writes each directory's places as numbers.
func TestSharedAbsentNamesRoundTrip(t *testing.T) {
	want := [][]string{{"x.h", "y.h", "sub/z.h"}, {"sub/z.h", "w.h", "x.h"}, nil, {"y.h"}, {"x.h", "x.h"}}
	e := Entry{Action: "ab/3"}
	for i, absent := range want {
		e.Dirs = append(e.Dirs, Dir{Path: fmt.Sprintf("/d%d", i), Absent: slices.Clone(absent)})
	}
	got := Decode(Encode([]Entry{e}))
	if len(got) != 1 || len(got[0].Dirs) != len(want) {
		t.Fatalf("decoded %+v", got)
	}
	for i := range want {
		if paths := got[0].Dirs[i].absentPaths(); !slices.Equal(paths, want[i]) {
			t.Errorf("%s lacks %q, want %q", got[0].Dirs[i].Path, paths, want[i])
		}
	}
}

package manifest

import (
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/dirlist"
)

// facts flattens an entry's places into "dir|absent" and "present" lines,
// without duplicates.
func facts(e Entry) []string {
	set := map[string]bool{}
	for i := range e.Dirs {
		d := &e.Dirs[i]
		for _, rel := range d.absentPaths() {
			set[d.Path+"|"+rel] = true
		}
	}
	for _, p := range e.Present {
		set["present "+p.Path] = true
	}
	var out []string
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Directories × names, never spelled out, state exactly the facts of
// every place spelled out: under an existing directory, under an existing
// one's missing subdirectory, under a missing search directory, and at
// the root.
func TestPlacesProductStatesEveryPlace(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/inc/linux/a.h", "")
	write(t, dir+"/inc/b.h", "")
	write(t, dir+"/other/linux/c.h", "")
	for i := range 20 { // enough lookups for a listing
		write(t, dir+"/many/"+string(rune('a'+i))+".h", "")
	}
	read := readFact(t, dir+"/inc/linux/a.h")
	places := Places{
		Dirs:  []string{dir, dir + "/inc", dir + "/inc/linux", dir + "/missing/deeper", dir + "/other", dir + "/many", "/"},
		Names: []string{"inc/linux/a.h", "linux/a.h", "a.h", "b.h", "linux/c.h", "x/y/z.h", "c.h", "inc/x/y/z.h", "linux/q/r.h"},
		Paths: []string{dir + "/probed.h"},
	}
	for i := range 20 {
		places.Names = append(places.Names, string(rune('a'+i))+".h")
	}
	spelled := Places{Paths: places.Paths}
	for _, d := range places.Dirs {
		for _, n := range places.Names {
			spelled.Paths = append(spelled.Paths, join(d, n))
		}
	}
	product, ok1 := Gather(since(), []File{read}, places, nil)
	each, ok2 := Gather(since(), []File{read}, spelled, nil)
	if !ok1 || !ok2 {
		t.Fatalf("Gather refused: %v %v", ok1, ok2)
	}
	record := Encode([]Entry{product}) // before facts spells its runs out
	if diff := cmp.Diff(facts(each), facts(product)); diff != "" {
		t.Errorf("facts (-spelled out +product):\n%s", diff)
	}
	if len(facts(product)) < 100 {
		t.Errorf("only %d facts", len(facts(product)))
	}
	// The runs that state most of them survive the record.
	decoded := Decode(record)
	if len(decoded) != 1 {
		t.Fatalf("decoded %d entries", len(decoded))
	}
	if diff := cmp.Diff(facts(each), facts(decoded[0])); diff != "" {
		t.Errorf("facts (-spelled out +decoded):\n%s", diff)
	}
	decoded = Decode(record)
	if !decoded[0].Holds() {
		t.Fatal("decoded facts do not hold")
	}
	write(t, dir+"/inc/x/y/z.h", "") // a place only a run states
	if decoded[0].Holds() {
		t.Error("a header that appeared where a run states none went unseen")
	}
}

// A header's names under search directories that lack their directory
// part are stated by reference to the names, not one by one.
func TestRunsStateNamesUnderMissingDirectories(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/inc/linux/a.h", "")
	places := Places{Dirs: []string{dir + "/inc", dir + "/inc/linux"}}
	for i := range 50 {
		places.Names = append(places.Names, "sub/"+string(rune('a'+i%26))+string(rune('a'+i/26))+".h")
	}
	e, ok := Gather(since(), []File{readFact(t, dir+"/inc/linux/a.h")}, places, nil)
	if !ok {
		t.Fatal("Gather refused")
	}
	// 100 absent places, stated as two runs over one list of 50 names.
	runs, spelled := 0, 0
	for _, d := range e.Dirs {
		runs += len(d.below)
		spelled += len(d.Absent)
	}
	if runs != 2 || spelled != 0 {
		t.Errorf("%d runs and %d places spelled out", runs, spelled)
	}
}

// Directories read before Gather (by the scan) give the facts, byte for
// byte, that reading them afresh gives; one changed since is read again.
func TestGatherWithEarlierListings(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/inc/linux/a.h", "")
	write(t, dir+"/inc/b.h", "")
	write(t, dir+"/other/linux/c.h", "")
	places := Places{
		Dirs:  []string{dir, dir + "/inc", dir + "/inc/linux", dir + "/missing", dir + "/other"},
		Names: []string{"inc/linux/a.h", "linux/a.h", "a.h", "b.h", "linux/c.h", "c.h", "x/y/z.h"},
	}
	for i := range 20 {
		places.Names = append(places.Names, string(rune('a'+i))+"x.h")
	}
	past := time.Now().Add(-time.Hour)
	lists := dirlist.NewWindow(0)
	for _, d := range []string{dir + "/inc/linux", dir + "/inc", dir + "/other/linux", dir + "/other", dir} {
		if err := os.Chtimes(d, past, past); err != nil { // a new name changes the mtime
			t.Fatal(err)
		}
		st, _ := dirlist.StatOf(d)
		lists.Read(d, st)
	}
	reads := []File{readFact(t, dir+"/inc/linux/a.h")}
	with, ok1 := Gather(since(), reads, places, lists)
	without, ok2 := Gather(since(), reads, places, nil)
	if !ok1 || !ok2 {
		t.Fatalf("Gather refused: %v %v", ok1, ok2)
	}
	if diff := cmp.Diff(Encode([]Entry{without}), Encode([]Entry{with})); diff != "" {
		t.Errorf("record (-read afresh +read before):\n%s", diff)
	}
	for _, made := range []string{dir + "/inc/c.h", dir + "/inc/linux/x/y/z.h"} {
		write(t, made, "")
		e, ok := Gather(since(), reads, places, lists)
		if !ok || !slices.Contains(facts(e), "present "+made) {
			t.Errorf("%s, made after its directory was read, went unseen (ok %v)", made, ok)
		}
		os.RemoveAll(made)
	}
}

// A place that is a read file spelled with "." elements is the file: the
// file's fact states it, and it is no present place of its own. A file
// that was not read stays present, however it is spelled, and the record
// still fails when the read file changes.
func TestDotSpellingsOfAReadFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/inc/linux/a.h", "1")
	write(t, dir+"/inc/linux/b.h", "")
	read := readFact(t, dir+"/./inc/linux/a.h")
	places := Places{
		Dirs:  []string{dir, dir + "/.", dir + "/./inc", dir + "/inc", dir + "/./inc/linux/."},
		Names: []string{"inc/linux/a.h", "./inc/linux/a.h", "linux/a.h", "a.h", "linux/b.h"},
	}
	e, ok := Gather(since(), []File{read}, places, nil)
	if !ok {
		t.Fatal("Gather refused")
	}
	var present []string
	for _, p := range e.Present {
		present = append(present, p.Path)
	}
	want := []string{dir + "/./inc/linux/b.h", dir + "/inc/linux/b.h"}
	slices.Sort(present)
	if !slices.Equal(present, want) {
		t.Errorf("present = %q, want %q", present, want)
	}
	if !e.Holds() {
		t.Fatal("the facts do not hold")
	}
	write(t, dir+"/inc/linux/a.h", "2")
	if e.Holds() {
		t.Error("the facts hold after the read file changed")
	}
}

func TestWithoutDots(t *testing.T) {
	for in, want := range map[string]string{"/a/./b": "/a/b", "/a/.": "/a", "/.": "/", "/": "/", "/a/b": "/a/b",
		"/a/../b": "/a/../b", "/a/.b/./c": "/a/.b/c", "/a/././b/.": "/a/b", "/.a": "/.a"} {
		if got := withoutDots(in); got != want {
			t.Errorf("withoutDots(%q) = %q, want %q", in, got, want)
		}
	}
}

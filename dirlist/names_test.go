package dirlist

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Where a file system may match names without case or normalisation, a
// listing says only what is surely absent: a name the same in ASCII lower
// case may be found, and any name when either side is not ASCII.
func TestMayMatch(t *testing.T) {
	ascii := map[string]struct{}{"Foo.h": {}, "bar.H": {}}
	wide := map[string]struct{}{"Foo.h": {}, "caf\u00e9.h": {}}
	for _, tt := range []struct {
		set  map[string]struct{}
		name string
		want bool
	}{
		{ascii, "foo.h", true},
		{ascii, "FOO.H", true},
		{ascii, "bar.h", true},
		{ascii, "baz.h", false},
		{ascii, "foo.hh", false},
		{ascii, ".", false},
		{ascii, "", false},
		{ascii, "cafe\u0301.h", true}, // not ASCII: may match anything
		{wide, "baz.h", true},         // an entry that is not ASCII may match anything
		{wide, "..", false},
		{map[string]struct{}{}, "caf\u00e9.h", false},
	} {
		n := &Names{set: tt.set}
		n.fold()
		if got := n.mayMatch(tt.name); got != tt.want {
			t.Errorf("names %v: mayMatch(%q) = %v, want %v", tt.set, tt.name, got, tt.want)
		}
	}
}

// Has answers for a name as spelled, and for others only where the file
// system may fold them.
func TestHasFoldsWhereTheSystemMay(t *testing.T) {
	n := newNames(map[string]struct{}{"Foo.h": {}})
	if !n.Has("Foo.h") {
		t.Error("a listed name is absent")
	}
	if got := n.Has("foo.h"); got != FoldsNames {
		t.Errorf("Has of another case = %v, want %v", got, FoldsNames)
	}
}

// This system's read of a directory and Go's own (readNames, which other
// systems use) give the same names; neither reads a missing directory or a
// file.
func TestReadAgreesWithGo(t *testing.T) {
	dir := t.TempDir()
	for i := range 2000 {
		name := fmt.Sprintf("%s-%d.h", strings.Repeat("x", i%200), i)
		if i%7 == 0 {
			name = fmt.Sprintf("caf\u00e9-%d.H", i)
		}
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink("nowhere", filepath.Join(dir, "dangling"))
	st, err := StatOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	sys, ok1 := read(dir, st)
	gos, ok2 := readNames(dir, &st)
	if !ok1 || !ok2 {
		t.Fatalf("read: %v, readNames: %v", ok1, ok2)
	}
	if !maps.Equal(sys.set, gos.set) || len(gos.set) != 2002 {
		t.Errorf("read gives %d names, readNames %d, want the same 2002", len(sys.set), len(gos.set))
	}
	for _, p := range []string{filepath.Join(dir, "none"), filepath.Join(dir, "x-1.h")} {
		if _, ok := readNames(p, nil); ok {
			t.Errorf("readNames(%s) read something", p)
		}
	}
}

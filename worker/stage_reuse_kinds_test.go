package worker

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// modeListing describes the tree at dir as listing does, with each entry's
// type and permissions.
func modeListing(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		line := fmt.Sprintf("%s %v", rel, fi.Mode())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			line += ": " + string(b)
		}
		lines = append(lines, line)
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// A patch turns each kind of entry into each other kind (a file into a
// directory and back, a symlink into either), flips executable bits,
// tells apart names that differ only in case, removes and adds empty
// directories, and patches deep within kept directories: the result is
// the new tree as laid out anew, entry for entry, modes included.
func TestPatchTurnsEveryKindOfEntryIntoEveryOther(t *testing.T) {
	store := newMemCAS(digest.SHA256)
	in := func(p, data string) client.Input { return client.Input{Path: "include/" + p, Data: []byte(data)} }
	link := func(p, target string) client.Input { return client.Input{Path: "include/" + p, Symlink: target} }
	dir := func(p string) client.Input { return client.Input{Path: "include/" + p, IsDir: true} }
	exe := func(p, data string) client.Input {
		return client.Input{Path: "include/" + p, Data: []byte(data), Executable: true}
	}
	src := client.Input{Path: "src/x.c", Data: []byte("int x;\n")}
	first := []client.Input{in("a.h", "a"), in("f2d", "f"), link("s2d", "a.h"), in("d2s/y.h", "y"),
		in("f2s", "f"), link("s2f", "a.h"), in("exe", "e"), exe("noexe", "n"), in("Case.h", "c"),
		dir("empty"), in("deep/a/b/c.h", "c1"), dir("deep/a/gone"), src}
	second := []client.Input{in("a.h", "a"), in("f2d/x.h", "x"), in("s2d/z.h", "z"), link("d2s", "a.h"),
		link("f2s", "a.h"), in("s2f", "s"), exe("exe", "e"), in("noexe", "n"), in("case.h", "c"),
		dir("empty2"), in("deep/a/b/c.h", "c2"), dir("deep/a/B"), src}
	got, want := patchAndFresh(t, store, first, second)
	if g, w := modeListing(t, got), modeListing(t, want); g != w {
		t.Errorf("patched tree:\n%s\nwant, as laid out anew:\n%s", g, w)
	}
}

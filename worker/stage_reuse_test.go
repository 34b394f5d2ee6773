package worker

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// reuseStaging is a jailed worker's staging (links, a directory cache)
// for an action that works in src/ and writes src/x.o.
func reuseStaging(t *testing.T, store *memCAS, root string) staging {
	t.Helper()
	dirs, err := newDirCache(filepath.Join(t.TempDir(), "dirs"), 10)
	if err != nil {
		t.Fatal(err)
	}
	return staging{store: store, fn: digest.SHA256, cache: newTestCache(t, 1<<20), link: true, dirs: dirs,
		workDir: filepath.Join(root, "src"), outputs: []string{filepath.Join(root, "src", "x.o")}}
}

// stageLent stages root at dir and returns what it lent.
func stageLent(t *testing.T, s staging, root digest.Digest, dir string) []lentDir {
	t.Helper()
	lent, err := stageInputs(context.Background(), s, root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return lent
}

// listing describes the tree at dir: each path with its content or link
// target.
func listing(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+target)
		case d.IsDir():
			lines = append(lines, rel+"/")
		default:
			b, _ := os.ReadFile(p)
			lines = append(lines, rel+": "+string(b))
		}
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// An idle subtree lent for another Directory from the same place is
// patched into exactly that Directory's layout: files changed, added and
// gone, a directory that became a file, a symlink retargeted.
func TestPatchedSubtreeIsExactlyTheNewTree(t *testing.T) {
	store := newMemCAS(digest.SHA256)
	in := func(p, data string) client.Input { return client.Input{Path: p, Data: []byte(data)} }
	first := []client.Input{in("include/a.h", "a"), in("include/b.h", "b1"), in("include/sys/c.h", "c"),
		in("include/old/x.h", "x"), {Path: "include/l.h", Symlink: "a.h"}, in("src/x.c", "x1")}
	second := []client.Input{in("include/a.h", "a"), in("include/b.h", "b2"), in("include/d.h", "d"),
		in("include/sys/c.h", "c"), in("include/sys/e/f.h", "f"), in("include/old", "now a file"),
		{Path: "include/l.h", Symlink: "b.h"}, in("src/y.c", "y")}
	got, want := patchAndFresh(t, store, first, second)
	if g, w := listing(t, got), listing(t, want); g != w {
		t.Errorf("patched tree:\n%s\nwant, as laid out anew:\n%s", g, w)
	}
}

// patchAndFresh stages first's include/ and gives it back idle, then
// stages second, whose include/ must be patched from it (the same
// directory); it returns second's patched root and second laid out anew.
func patchAndFresh(t *testing.T, store *memCAS, first, second []client.Input) (patched, fresh string) {
	t.Helper()
	base := t.TempDir()
	s := reuseStaging(t, store, filepath.Join(base, "2"))
	s1 := s
	s1.workDir, s1.outputs = filepath.Join(base, "1", "src"), []string{filepath.Join(base, "1", "src", "x.o")}
	lent := stageLent(t, s1, store.tree(t, first), filepath.Join(base, "1"))
	if len(lent) != 1 || lent[0].place != "include" {
		t.Fatalf("lent %+v, want include/", lent)
	}
	before, err := os.Stat(filepath.Join(base, "1", "include"))
	if err != nil {
		t.Fatal(err)
	}
	s.dirs.giveBack(lent)
	patched = filepath.Join(base, "2")
	stageLent(t, s, store.tree(t, second), patched)
	if after, err := os.Stat(filepath.Join(patched, "include")); err != nil || !os.SameFile(before, after) {
		t.Fatalf("include/ was not patched from the idle subtree (%v)", err)
	}
	fresh = filepath.Join(t.TempDir(), "r")
	layout := staging{store: store, fn: digest.SHA256, cache: newTestCache(t, 1<<20), link: true}
	stageLent(t, layout, store.tree(t, second), fresh)
	return patched, fresh
}

// A file that an idle subtree keeps is checked as the file cache checks
// its own: with every use sampled, one changed in place (its modification
// time kept, so that only hashing finds it) is found, and the action gets
// the content it asked for, fetched again.
func TestCorruptFileOfIdleSubtreeIsFound(t *testing.T) {
	store := newMemCAS(digest.SHA256)
	h := []byte("#define GOOD 1\n")
	inputs := []client.Input{{Path: "include/h.h", Data: h}, {Path: "src/x.c", Data: []byte("int x;\n")}}
	root := store.tree(t, inputs)
	base := t.TempDir()
	s := reuseStaging(t, store, filepath.Join(base, "2"))
	s.cache.sampleEvery = 1
	s1 := s
	s1.workDir, s1.outputs = filepath.Join(base, "1", "src"), []string{filepath.Join(base, "1", "src", "x.o")}
	lent := stageLent(t, s1, root, filepath.Join(base, "1"))
	s.dirs.giveBack(lent)
	corrupt(t, filepath.Join(s.dirs.dir, "1", "h.h"), true) // the idle copy of include/

	stageLent(t, s, root, filepath.Join(base, "2"))
	if got, _ := os.ReadFile(filepath.Join(base, "2", "include", "h.h")); !bytes.Equal(got, h) {
		t.Errorf("staged %q from a corrupt idle subtree, want %q", got, h)
	}
	if n := store.readCount(digest.SHA256.FromBytes(h)); n != 2 {
		t.Errorf("header fetched %d times, want 2 (once more after the corruption)", n)
	}
}

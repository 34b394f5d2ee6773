package dirlist

import (
	"os"
	"path/filepath"
	"testing"
)

// The caller states a directory, then Read opens it by path: a symlink on
// the path swapped in between (another build's "current" link) opens
// another directory. That directory's names must not be kept under the
// stated one's stat data, or the first directory, reached again through
// the link, would answer with them in this compile and every later one.
func TestReadOfAnotherDirectoryThanStated(t *testing.T) {
	a, _ := oldDir(t) // holds a.h
	b, _ := oldDir(t)
	os.Remove(filepath.Join(b, "a.h"))
	os.WriteFile(filepath.Join(b, "b.h"), nil, 0o644)
	link := filepath.Join(t.TempDir(), "current")
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	stA, _ := StatOf(link)
	os.Remove(link)
	os.Symlink(b, link) // swapped between the stat and the read
	kept := t.TempDir()
	c := openOld(kept)
	if names, ok := c.Read(link, stA); ok && names.Has("b.h") {
		t.Error("the names of the directory opened were given for the one stated")
	}
	os.Remove(link)
	os.Symlink(a, link) // and back
	for name, later := range map[string]*Cache{"this compile": c, "a later compile": openOld(kept)} {
		names, ok := later.Read(link, stA)
		if !ok || !names.Has("a.h") || names.Has("b.h") {
			t.Errorf("%s: the directory stated reads as the one swapped in", name)
		}
	}
}

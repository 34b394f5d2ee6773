package localhit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/compiler"
)

// TestOutputLinksRunLocally: the compiler writes its dependency file
// through a symlink or a hard link (the other name sees the new content),
// where rex would rename a new file over it; the object it removes first,
// as rex does. (integration/adversarial compares the symlinks with a local
// compile; its tree snapshots cannot keep hard links.)
func TestOutputLinksRunLocally(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.c"), []byte("int v;\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "other"), []byte("old\n"), 0o644)
	argv := []string{"gcc", "-MD", "-MF", "a.d", "-c", "a.c", "-o", "a.o"}
	p, err := compiler.Parse(argv, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, link string
		hard, want bool
	}{
		{"no link", "", false, false},
		{"dependency file is a symlink", "a.d", false, true},
		{"dependency file is a hard link", "a.d", true, true},
		{"object is a symlink", "a.o", false, false},
		{"object is a hard link", "a.o", true, false},
	} {
		os.Remove(filepath.Join(dir, "a.d"))
		os.Remove(filepath.Join(dir, "a.o"))
		switch {
		case tt.link != "" && tt.hard:
			os.Link(filepath.Join(dir, "other"), filepath.Join(dir, tt.link))
		case tt.link != "":
			os.Symlink("other", filepath.Join(dir, tt.link))
		}
		if why := UnwritableOutput(dir, p); (why != "") != tt.want {
			t.Errorf("%s: %q, want local %v", tt.name, why, tt.want)
		}
	}
}

func TestDotDotAfterName(t *testing.T) {
	for path, want := range map[string]bool{
		"a.o": false, "../obj/a.o": false, "../../x/a.o": false, "./../a.o": false, "/abs/a.o": false,
		"d/../a.o": true, "../d/../a.o": true, "/abs/d/../a.o": true, "d/./../a.o": true,
	} {
		if got := dotDotAfterName(path); got != want {
			t.Errorf("dotDotAfterName(%q) = %v, want %v", path, got, want)
		}
	}
}

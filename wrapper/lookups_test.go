package wrapper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/lookups"
)

func TestCheckLookups(t *testing.T) {
	cwd := t.TempDir()
	os.MkdirAll(filepath.Join(cwd, "real", "sub"), 0o755)
	os.Symlink("real/sub", filepath.Join(cwd, "link")) // link/.. is real
	for _, f := range []string{"c.c", "a.h", "x.h", "real/b.h", "b.h"} {
		os.WriteFile(filepath.Join(cwd, f), []byte(f), 0o644)
	}
	set := inputSet{
		project: []projectFile{{clean: cwd + "/c.c", read: cwd + "/c.c"}, {clean: cwd + "/a.h", read: cwd + "/./a.h"}, {clean: cwd + "/b.h", read: cwd + "/b.h"}},
		system:  []systemFile{{path: "/usr/include/stdio.h"}},
		probed:  []string{"/usr/include/probed.h"},
	}
	for _, c := range []struct {
		name  string
		found []string
		local string // a word of the reason, or "" to go on
	}{
		{"inputs as spelt", []string{"c.c", "./a.h", "/usr/include/stdio.h", "/usr/include/probed.h"}, ""},
		{"a project file under a directory named gconv", []string{"c.c", "gconv/x.h"}, "gconv/x.h"},
		// A toolchain file's existence is keyed only when a probe found it.
		{"an unkeyed toolchain file", []string{"c.c", "/usr/lib/gcc/x/include/stddef.h"}, "stddef.h"},
		{"an unkeyed file", []string{"c.c", "x.h"}, "x.h"},
		{"a keyed path that is another file through a symlink and ..", []string{"c.c", "link/../b.h"}, "symlink"},
		{"no source", []string{"a.h"}, "lacks the source"},
	} {
		err := checkLookups(cwd, "c.c", set, nil, lookups.Log{Found: c.found, Observed: true})
		switch {
		case c.local == "" && err != nil:
			t.Errorf("%s: %v, want no objection", c.name, err)
		case c.local != "" && (err == nil || !strings.Contains(err.Error(), c.local)):
			t.Errorf("%s: %v, want a local run naming %q", c.name, err, c.local)
		}
	}
	// A copy of a header read once, which gcc opens to compare and skips.
	os.WriteFile(filepath.Join(cwd, "copy.h"), []byte("a.h"), 0o644)
	sum, _ := digest.BLAKE3.FromFile(filepath.Join(cwd, "a.h"))
	once := map[int64][]inputFile{sum.Size: {{path: cwd + "/a.h", sum: sum, fn: digest.BLAKE3}}}
	if err := checkLookups(cwd, "c.c", set, once, lookups.Log{Found: []string{"c.c", "copy.h"}, Observed: true}); err != nil {
		t.Errorf("a copy of a header read once: %v", err)
	}
	if err := checkLookups(cwd, "c.c", set, once, lookups.Log{Found: []string{"c.c", "x.h"}, Observed: true}); err == nil {
		t.Error("a file of another content passed as a copy of a header read once")
	}
	if err := checkLookups(cwd, "c.c", set, nil, lookups.Log{Found: []string{"x.h"}}); err != nil {
		t.Errorf("an unobserved scan: %v, want it left to the reading of the text", err)
	}
	if err := checkLookups(cwd, "c.c", set, nil, lookups.Log{Found: []string{"c.c"}, Unresolved: 1, Observed: true}); err == nil {
		t.Error("an unresolved lookup went unremarked")
	}
}

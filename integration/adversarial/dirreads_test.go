package adversarial

import (
	"os"
	"path/filepath"
	"testing"
)

// A directory the compile asks about is read once, and a read of one
// unchanged for rex's racy window is kept under REX_DIR/dirs and used by
// later compiles while the directory's stat data are the same. The .gch
// checks answer from those reads: every way of giving a searched
// directory other entries behind the same path must make the next compile
// see them. Each case's first compare keeps no read (its directories are
// new); the warm compiles keep them, and the mutation meets them.
func TestDirectoryReads(t *testing.T) {
	src := map[string]string{"b/x.h": "const int xv = 1;\n", "c.c": "#include <x.h>\nint get(void) { return xv; }\n"}
	// gch makes dir/x.h.gch from a header that says xv is v, and leaves no
	// x.h there: the .gch alone shadows b/x.h.
	gch := func(dir, v string) string {
		return "mkdir -p " + dir + " && echo 'const int xv = " + v + ";' > " + dir + "/x.h && gcc -x c-header " +
			dir + "/x.h -o " + dir + "/x.h.gch && rm " + dir + "/x.h"
	}
	// Enough names that the record's gathering reads the directory too.
	many := "mkdir -p a && for i in $(seq 20); do touch a/n$i.h; done"
	for _, s := range []spec{{
		name:   "searched dir removed and made again with a .gch (its inode reused)",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(many) },
		mutate: func(k *kase) { k.sh("rm -rf a && " + many + " && " + gch("a", "7")) },
	}, {
		name:   "another dir holding a .gch moved over the searched dir",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(many + " && cp -a a a2 && " + gch("a2", "7")) },
		mutate: func(k *kase) { k.sh("rm -rf a && mv a2 a") },
	}, {
		name:   "searched dir is a symlink swapped to a dir holding a .gch",
		files:  src,
		cmd:    []string{"gcc", "-Id", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(many + " && cp -a a a2 && " + gch("a2", "7") + " && ln -s a d") },
		mutate: func(k *kase) { k.sh("ln -sfn a2 d") },
	}, {
		name:   "searched dir replaced by a symlink to a dir holding a .gch",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(many + " && cp -a a a2 && " + gch("a2", "7")) },
		mutate: func(k *kase) { k.sh("rm -rf a && ln -s a2 a") },
	}, {
		// link/.. is top, not the case's directory: a lexical clean of
		// the path names another directory, here one with the same names.
		name:   ".gch appears in a dir named through .. after a symlink",
		files:  src,
		cmd:    []string{"gcc", "-Ilink/../a", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh("mkdir -p top/sub && ln -s top/sub link && " + many + " && cp -a a top/a") },
		mutate: func(k *kase) { k.sh(gch("top/a", "7")) },
	}, {
		name:   ".gch appears in a dir reached through a symlinked parent",
		files:  src,
		cmd:    []string{"gcc", "-Ilink/a", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(many + " && mkdir top && ln -s top link && cp -a a top/a") },
		mutate: func(k *kase) { k.sh(gch("top/a", "7")) },
	}, {
		// The dir is read while it is racy (just changed), then changed
		// again at once: a read that was kept would hide the .gch.
		name:  ".gch made just after a read of the just-changed dir",
		files: src,
		cmd:   []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup: func(k *kase) { k.sh(many) },
		mutate: func(k *kase) {
			k.sh("touch a/new.h")
			k.compare("racy read")
			k.sh(gch("a", "7"))
		},
	}, {
		name:   ".gch removed from a searched dir",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(many + " && " + gch("a", "7")) },
		mutate: func(k *kase) { k.sh("rm a/x.h.gch") },
	}, {
		name:   ".gch renamed into place in a searched dir",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(many + " && " + gch("a", "7") + " && mv a/x.h.gch a/x.h.gch.off") },
		mutate: func(k *kase) { k.sh("mv a/x.h.gch.off a/x.h.gch") },
	}} {
		s.class = "dirs"
		mutate := s.mutate
		s.mutate = func(k *kase) { k.mustHaveKeptReads(); mutate(k) }
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

// mustHaveKeptReads fails the case when the warm compiles kept no
// directory read: the mutation would not meet one.
func (k *kase) mustHaveKeptReads() {
	k.t.Helper()
	if entries, _ := os.ReadDir(filepath.Join(k.state, "dirs")); len(entries) == 0 {
		k.noState("no directory read was kept")
	}
}

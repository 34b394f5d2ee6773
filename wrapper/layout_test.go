package wrapper

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

func TestLayout(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	cwd := filepath.Join(root, "build", "sub")
	os.MkdirAll(cwd, 0o755)

	l := newLayout("", cwd)
	if l.root != root || l.workDir != "build/sub" {
		t.Fatalf("layout = %+v, want root %s and workDir build/sub", l, root)
	}
	for in, want := range map[string]string{
		filepath.Join(root, "src", "a.cc"): rootMarker + "/src/a.cc",
		filepath.Join(cwd, "a.o"):          rootMarker + "/build/sub/a.o",
		root:                               rootMarker,
		root + "/.":                        rootMarker + "/.",
		root + "/src/../inc":               rootMarker + "/src/../inc",
		"/usr/include/stdio.h":             "/usr/include/stdio.h",
		"rel/x.h":                          "rel/x.h",
	} {
		if got := l.markArg(in); got != want {
			t.Errorf("markArg(%s) = %q, want %q", in, got, want)
		}
	}
	if got, err := l.outputPath("obj/a.o"); err != nil || got != "obj/a.o" {
		t.Errorf("outputPath(obj/a.o) = %q, %v", got, err)
	}
	for _, bad := range []string{"../a.o", filepath.Join(root, "a.o"), "/tmp/a.o", "."} {
		if _, err := l.outputPath(bad); err == nil {
			t.Errorf("outputPath(%s) accepted an output outside the working directory", bad)
		}
	}

	if l := newLayout("", t.TempDir()); l.workDir != "" {
		t.Errorf("outside any git checkout the root is the cwd: %+v", l)
	}
	if l := newLayout("/nonexistent/elsewhere", cwd); l.root != "/" || l.workDir != cwd[1:] {
		t.Errorf("a root that does not hold the cwd widens to their common ancestor: %+v", l)
	}
}

func TestInputTree(t *testing.T) {
	root := t.TempDir()
	cwd := filepath.Join(root, "build")
	for _, f := range []string{"src/a.cc", "inc/x.h", "build/gen.h"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(root, f), []byte(f), 0o644)
	}
	os.MkdirAll(filepath.Join(root, "inc", "sub"), 0o755)
	sysDir := t.TempDir()
	sys := filepath.Join(sysDir, "sys.h")
	os.WriteFile(sys, []byte("system"), 0o644)
	tc := &toolchain.Toolchain{Dirs: []string{sysDir}}

	set, err := classify(cwd, tc, []string{"../src/a.cc", "../inc/sub/../x.h", "gen.h", sys, "gen.h"})
	if err != nil {
		t.Fatal(err)
	}
	l := newLayout(cwd, cwd)
	for _, f := range set.project {
		l.widen(f.clean)
	}
	if l.root != root || l.workDir != "build" {
		t.Fatalf("widened layout = %+v, want root %s", l, root)
	}
	if err := set.buildTree(l); err != nil {
		t.Fatal(err)
	}
	want := []client.Input{
		{Path: "build", IsDir: true},
		{Path: "build/gen.h", Source: cwd + "/gen.h"},
		{Path: "inc/sub", IsDir: true},
		{Path: "inc/x.h", Source: cwd + "/../inc/sub/../x.h"},
		{Path: "src/a.cc", Source: cwd + "/../src/a.cc"},
	}
	if diff := cmp.Diff(want, set.tree); diff != "" {
		t.Errorf("tree inputs (-want +got):\n%s", diff)
	}
	if len(set.system) != 1 || set.system[0].path != sys {
		t.Errorf("system files = %+v", set.system)
	}
}

// TestClassifySymlinkDotDot: "linked/../inc/x.h" is read through the
// symlink, where the compiler read it; a second spelling of the same clean
// path that is another file cannot be placed, so the compile stays local.
func TestClassifySymlinkDotDot(t *testing.T) {
	cwd, other := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(other, "a"), 0o755)
	os.MkdirAll(filepath.Join(other, "inc"), 0o755)
	os.MkdirAll(filepath.Join(cwd, "inc"), 0o755)
	os.WriteFile(filepath.Join(other, "inc", "x.h"), []byte("other"), 0o644)
	os.WriteFile(filepath.Join(cwd, "inc", "x.h"), []byte("mine"), 0o644)
	os.Symlink(filepath.Join(other, "a"), filepath.Join(cwd, "linked"))
	tc := &toolchain.Toolchain{}
	set, err := classify(cwd, tc, []string{"linked/../inc/x.h"})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(set.project[0].read); string(data) != "other" {
		t.Errorf("read %q through %s, want the file behind the symlink", data, set.project[0].read)
	}
	if _, err := classify(cwd, tc, []string{"linked/../inc/x.h", "inc/x.h"}); !errors.Is(err, errLocal) {
		t.Errorf("two files at one clean path: %v, want a local compile", err)
	}
}

func TestSaltCoversSystemHeaders(t *testing.T) {
	a := salt(digest.SHA256, "gcc 12", []systemFile{{"/usr/include/x.h", digest.SHA256.FromBytes([]byte("1"))}}, nil)
	b := salt(digest.SHA256, "gcc 12", []systemFile{{"/usr/include/x.h", digest.SHA256.FromBytes([]byte("2"))}}, nil)
	c := salt(digest.SHA256, "gcc 13", []systemFile{{"/usr/include/x.h", digest.SHA256.FromBytes([]byte("1"))}}, nil)
	d := salt(digest.SHA256, "gcc 12", []systemFile{{"/usr/include/x.h", digest.SHA256.FromBytes([]byte("1"))}}, []string{"/usr/include/y.h"})
	if string(a) == string(b) || string(a) == string(c) || string(a) == string(d) {
		t.Error("salt ignores a system header's content or the compiler identity")
	}
}

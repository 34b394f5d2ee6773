package wrapper

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
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
	if l := newLayout("/nonexistent/elsewhere", cwd); l.root != cwd {
		t.Errorf("a root that does not hold the cwd falls back to the cwd: %+v", l)
	}
}

func TestCollectInputs(t *testing.T) {
	root := t.TempDir()
	cwd := filepath.Join(root, "build")
	for _, f := range []string{"src/a.cc", "inc/x.h", "build/gen.h"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(root, f), []byte(f), 0o644)
	}
	os.MkdirAll(filepath.Join(root, "inc", "sub"), 0o755)
	sys := filepath.Join(t.TempDir(), "sys.h")
	os.WriteFile(sys, []byte("system"), 0o644)

	l := newLayout(root, cwd)
	set, err := collectInputs(l, []string{"../src/a.cc", "../inc/sub/../x.h", "gen.h", sys, "gen.h"}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []client.Input{
		{Path: "build", IsDir: true},
		{Path: "build/gen.h", Source: filepath.Join(root, "build/gen.h")},
		{Path: "inc/sub", IsDir: true},
		{Path: "inc/x.h", Source: filepath.Join(root, "inc/x.h")},
		{Path: "src/a.cc", Source: filepath.Join(root, "src/a.cc")},
	}
	if diff := cmp.Diff(want, set.tree); diff != "" {
		t.Errorf("tree inputs (-want +got):\n%s", diff)
	}
	if len(set.system) != 1 || set.system[0].path != sys || set.system[0].digest != digest.BLAKE3.FromBytes([]byte("system")) {
		t.Errorf("system files = %+v", set.system)
	}
	if _, err := collectInputs(l, []string{"../../elsewhere.h"}, ""); err == nil {
		t.Error("a relative input outside the root was accepted")
	}
}

func TestSaltCoversSystemHeaders(t *testing.T) {
	a := salt(digest.SHA256, "gcc 12", []systemFile{{"/usr/include/x.h", digest.SHA256.FromBytes([]byte("1"))}})
	b := salt(digest.SHA256, "gcc 12", []systemFile{{"/usr/include/x.h", digest.SHA256.FromBytes([]byte("2"))}})
	c := salt(digest.SHA256, "gcc 13", []systemFile{{"/usr/include/x.h", digest.SHA256.FromBytes([]byte("1"))}})
	if string(a) == string(b) || string(a) == string(c) {
		t.Error("salt ignores a system header's content or the compiler identity")
	}
}

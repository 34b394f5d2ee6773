package wrapper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
)

func TestIncludeRefsIn(t *testing.T) {
	for _, tt := range []struct {
		src      string
		want     []includeRef
		computed bool
		imports  bool
	}{
		{src: "#include \"a.h\"\n  #  include <sys/b.h>\n", want: []includeRef{{Name: "a.h"}, {Name: "sys/b.h", Angle: true}}},
		{src: "#include_next <x.h>\n%:include \"d.h\"\n", want: []includeRef{{Name: "x.h", Angle: true, Next: true}, {Name: "d.h"}}},
		{src: "#import \"m.h\"\n", want: []includeRef{{Name: "m.h"}}, imports: true},
		{src: "#include \\\n  \"split.h\"\n", want: []includeRef{{Name: "split.h"}}},
		{src: "#include CONFIG_H\n", computed: true},
		{src: "/* c */ #include \"hidden.h\"\n", computed: true},
		{src: "// #include \"comment.h\"\nint include_me;\n#define X import\n"},
		{src: "#include \"tab\there.h\"\n", want: []includeRef{{Name: "tab\there.h"}}},
		// Spellings the preprocessor reads as an include.
		{src: "#\\ \ninclude \"blank-splice.h\"\n", want: []includeRef{{Name: "blank-splice.h"}}},
		{src: "\xef\xbb\xbf#include \"bom.h\"\n", want: []includeRef{{Name: "bom.h"}}},
		{src: "#define A 1\r#include \"cr.h\"\r", want: []includeRef{{Name: "cr.h"}}},
		{src: "/* c\n*/ #include \"tail.h\"\n", computed: true},
		{src: "#inc??/\nlude \"tri.h\"\n", computed: true},
		{src: "??=import \"tri.h\"\n", computed: true, imports: true},
		{src: "/* c\n*/ #import \"after.h\"\n", computed: true, imports: true},
		{src: "/* c */ %:import \"digraph.h\"\n", computed: true, imports: true},
		{src: "# /* c\n*/ import \"split.h\"\n", computed: true, imports: true},
		// What no preprocessor reads as a directive: question marks that
		// form no trigraph, a comment's last line without one after it.
		{src: "/* ?? ??? 2002\n * so it is important */\n#include \"a.h\"\n", want: []includeRef{{Name: "a.h"}}},
		{src: "/* import\n * important */ int x;\n"},
	} {
		got := includeRefsIn([]byte(tt.src))
		if diff := cmp.Diff(tt.want, got.Refs); diff != "" || got.Computed != tt.computed || got.imports != tt.imports {
			t.Errorf("%q: computed %v imports %v, refs (-want +got):\n%s", tt.src, got.Computed, got.imports, diff)
		}
		want := includeRefs{Computed: got.Computed}
		for _, r := range got.Refs {
			if strings.Contains(r.Name, "\t") {
				want.Computed = true // the entry cannot hold it
			} else {
				want.Refs = append(want.Refs, r)
			}
		}
		back := decodeIncludeRefs(got.includeRefs.encode())
		if diff := cmp.Diff(want, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q: the cache's entry reads back otherwise (-want +got):\n%s", tt.src, diff)
		}
	}
}

// onceTree is a project laid out for reachableOnceCopy: the files the
// compile read, and the directories it searched.
type onceTree struct {
	t    *testing.T
	dir  string
	read []string
}

func (o *onceTree) write(name, content string) string {
	p := filepath.Join(o.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		o.t.Fatal(err)
	}
	if target, ok := strings.CutPrefix(content, "@link:"); ok {
		if err := os.Symlink(target, p); err != nil {
			o.t.Fatal(err)
		}
		return p
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		o.t.Fatal(err)
	}
	when := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := os.Chtimes(p, when, when); err != nil {
		o.t.Fatal(err)
	}
	return p
}

func (o *onceTree) check(cache *directiveCache, toolchain string, angle ...string) (copyPath string, later bool) {
	var set inputSet
	for _, name := range o.read {
		p := filepath.Join(o.dir, name)
		d, err := digest.SHA256.FromFile(p)
		if err != nil {
			o.t.Fatal(err)
		}
		set.project = append(set.project, projectFile{clean: p, read: p, printed: p, digest: d})
	}
	chk := onceCopyCheck{cwd: o.dir, search: depscan.SearchList{Angle: angle}, deps: o.read,
		isToolchain: func(p string) bool { return toolchain != "" && strings.HasPrefix(p, filepath.Join(o.dir, toolchain)) }}
	once, err := readOnceBySize(set, cache, digest.SHA256)
	if err != nil {
		o.t.Fatal(err)
	}
	c, _, later, err := reachableOnceCopy(set, chk, cache, digest.SHA256, once)
	if err != nil {
		o.t.Fatal(err)
	}
	return c, later
}

// TestReachableOnceCopy: a copy of a header read once matters where a
// directive resolves to it: most where another header of its name comes
// later (a worker would compile that one), else a worker's compile fails.
func TestReachableOnceCopy(t *testing.T) {
	const once = "#pragma once\nint y;\n"
	src := "#include \"y.h\"\n#include \"x.h\"\n"
	for _, tt := range []struct {
		name      string
		files     map[string]string
		read      []string
		angle     []string
		toolchain string
		want      string
		later     bool
	}{
		{"copy first, another after", map[string]string{"y.h": once, "a/x.h": once, "b/x.h": "int b;\n", "a.c": src},
			[]string{"a.c", "y.h"}, []string{"a", "b"}, "", "a/x.h", true},
		{"symlink first, another after", map[string]string{"y.h": once, "a/x.h": "@link:../y.h", "b/x.h": "int b;\n", "a.c": src},
			[]string{"a.c", "y.h"}, []string{"a", "b"}, "", "a/x.h", true},
		{"copy first, nothing after", map[string]string{"y.h": once, "a/x.h": once, "a.c": src},
			[]string{"a.c", "y.h"}, []string{"a", "b"}, "", "a/x.h", false},
		{"copy after the header found", map[string]string{"y.h": once, "a/x.h": "int a;\n", "b/x.h": once, "c/x.h": "int c;\n", "a.c": src},
			[]string{"a.c", "y.h", "a/x.h"}, []string{"a", "b", "c"}, "", "", false},
		{"#include_next past the header found", map[string]string{"y.h": once, "a/x.h": "#include_next <x.h>\n", "b/x.h": once,
			"c/x.h": "int c;\n", "a.c": src}, []string{"a.c", "y.h", "a/x.h"}, []string{"a", "b", "c"}, "", "b/x.h", true},
		{"copy in a toolchain directory", map[string]string{"y.h": once, "tc/x.h": once, "b/x.h": "int b;\n", "a.c": src},
			[]string{"a.c", "y.h"}, []string{"tc", "b"}, "tc", "", false},
		{"other content of the same size", map[string]string{"y.h": once, "a/x.h": "#pragma once\nint z;\n", "b/x.h": "int b;\n", "a.c": src},
			[]string{"a.c", "y.h"}, []string{"a", "b"}, "", "", false},
		{"computed include", map[string]string{"y.h": once, "a/x.h": once, "b/x.h": "int b;\n",
			"a.c": "#include \"y.h\"\n#include \"b/x.h\"\n#include CONFIG\n"}, []string{"a.c", "y.h", "b/x.h"}, []string{"a", "b"}, "", "a/x.h", true},
		{"computed include, a copy beside the includer", map[string]string{"y.h": once, "x.h": once, "b/x.h": "int b;\n",
			"a.c": "#include \"y.h\"\n#include \"b/x.h\"\n#include CONFIG\n"}, []string{"a.c", "y.h", "b/x.h"}, []string{"a", "b"}, "", "x.h", true},
		{"computed include, nothing after the copy", map[string]string{"y.h": once, "b/x.h": once,
			"a.c": "#include \"y.h\"\n#include CONFIG\n"}, []string{"a.c", "y.h", "b/x.h"}, []string{"a", "b"}, "", "", false},
	} {
		o := &onceTree{t: t, dir: t.TempDir(), read: tt.read}
		for name, content := range tt.files {
			o.write(name, content)
		}
		var angle []string
		for _, d := range tt.angle {
			angle = append(angle, filepath.Join(o.dir, d))
		}
		got, later := o.check(loadDirectiveCache(""), tt.toolchain, angle...)
		if want := filepath.Join(o.dir, tt.want); tt.want == "" && got != "" || tt.want != "" && (got != want || later != tt.later) {
			t.Errorf("%s: copy %q (a header after it: %v), want %q (%v)", tt.name, got, later, tt.want, tt.later)
		}
	}
}

// TestOnceCopyCheckWithoutOnceHeaders: with no header read once, the check
// resolves nothing, and the cache keeps only each file's flags and probes.
// Comments such as the kernel's ("???", "important ... */") hold no
// #import: they must not make every file one that may be read once.
func TestOnceCopyCheckWithoutOnceHeaders(t *testing.T) {
	o := &onceTree{t: t, dir: t.TempDir(), read: []string{"a.c", "g.h"}}
	o.write("a.c", "#include \"g.h\"\n#include \"x.h\"\n")
	o.write("g.h", "/* ?? ??? 2002: fixed\n * so it is important to keep this */\n#ifndef G\n#define G\n#endif\n")
	o.write("a/x.h", "#ifndef G\n#define G\n#endif\n")
	o.write("b/x.h", "int b;\n")
	cache := loadDirectiveCache("")
	if c, _ := o.check(cache, "", filepath.Join(o.dir, "a"), filepath.Join(o.dir, "b")); c != "" {
		t.Errorf("copy %q without a header read once", c)
	}
	for key := range cache.added {
		if !strings.HasPrefix(key, fileEntryPrefix) {
			t.Errorf("cache learnt %s: the include directives were read", key)
		}
	}
	if len(cache.added) != 2 {
		t.Errorf("cache learnt %d entries, want those of 2 files", len(cache.added))
	}
}

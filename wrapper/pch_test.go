package wrapper

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/dirlist"
)

// TestIncludeNames: the names a source's include directives give, in every
// spelling the parse reads; anything that may be a directive it cannot
// read is not ok.
func TestIncludeNames(t *testing.T) {
	for src, want := range map[string][]string{
		"#include <a.h>\n  #  include \"b/c.h\"\n%:include <d.h>\n#import \"e.h\"\n#include_next <f.h>\n": {"a.h", "b/c.h", "d.h", "e.h", "f.h"},
		"int include = 1;\n#define X 1\n#pragma include\n":                                                {},
		"#include MACRO\n":                 nil,
		"/* c */ #include <a.h>\n":         nil,
		"#include \\\n<a.h>\n":             {"a.h"},
		"#include <unterminated.h\n":       nil,
		"int x; // include <a.h>\n":        {},
		"int x; // #include <a.h>\n":       {},
		" * see #include <a.h>\n":          {},
		"/* a\n#include <b.h>\n */\n":      {"b.h"},
		"/* c */ x; // #include\n":         {},
		"/* c */ /* d */ #include <a.h>\n": nil,
	} {
		path := filepath.Join(t.TempDir(), "s.c")
		os.WriteFile(path, []byte(src), 0o644)
		got, ok := includeNames(path)
		if ok != (want != nil) || !slices.Equal(got, want) {
			t.Errorf("includeNames(%q) = %q, %v; want %q", src, got, ok, want)
		}
	}
}

// TestPchPlaces: name.gch in the cwd, the source's directory and every
// search directory, for the source's includes and -include; none for
// clang, which reads only the .pch it is given.
func TestPchPlaces(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "src/a.c"), []byte("#include <x.h>\n"), 0o644)
	p, err := compiler.Parse([]string{"gcc", "-include", "pre.h", "-Iinc", "-c", "src/a.c", "-o", "a.o"}, dir)
	if err != nil || p.Family != compiler.GCC || p.Source != "src/a.c" {
		t.Fatalf("parse: %+v, %v", p, err)
	}
	search := depscan.SearchList{Quote: []string{"q"}, Angle: []string{"inc", "/usr/include"}}
	got := pchPlaces(dir, p, nil, search)
	for _, want := range []string{dir + "/x.h.gch", dir + "/src/x.h.gch", dir + "/q/x.h.gch", dir + "/inc/x.h.gch", "/usr/include/x.h.gch", dir + "/inc/pre.h.gch"} {
		if !slices.Contains(got, want) {
			t.Errorf("pchPlaces lacks %s: %q", want, got)
		}
	}
	p.Family = compiler.Clang
	if got := pchPlaces(dir, p, nil, search); got != nil {
		t.Errorf("clang: %q", got)
	}
}

// BenchmarkPrecompiledCheck: the check a scan-path compile makes, for a
// source with 30 includes and 15 search directories.
func BenchmarkPrecompiledCheck(b *testing.B) {
	dir := b.TempDir()
	var src []byte
	for i := range 30 {
		src = fmt.Appendf(src, "#include <sub/h%d.h>\n", i)
	}
	os.WriteFile(filepath.Join(dir, "a.c"), src, 0o644)
	var search depscan.SearchList
	for i := range 15 {
		d := filepath.Join(dir, fmt.Sprintf("inc%d", i))
		os.MkdirAll(filepath.Join(d, "sub"), 0o755)
		search.Angle = append(search.Angle, d)
	}
	p := &compiler.Invocation{Family: compiler.GCC, Source: "a.c", Args: []string{"gcc", "-c", "a.c"}}
	b.ResetTimer()
	for range b.N {
		if firstPrecompiled(pchPlaces(dir, p, nil, search), dirlist.New()) != "" {
			b.Fatal("found a .gch")
		}
	}
}

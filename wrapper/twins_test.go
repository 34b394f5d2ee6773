package wrapper

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/digest"
)

// TestOnceTwins: inputs of equal content are twins when they may be read
// once; an empty file, a file read twice by design and different content
// are not, and a project file is compared with a system header across
// digest functions.
func TestOnceTwins(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	project := func(paths ...string) inputSet {
		var set inputSet
		for _, p := range paths {
			d, err := digest.SHA256.FromFile(p)
			if err != nil {
				t.Fatal(err)
			}
			set.project = append(set.project, projectFile{clean: p, read: p, printed: p, digest: d})
		}
		return set
	}
	once1, once2 := write("once1.h", "#pragma once\nint x;\n"), write("once2.h", "#pragma once\nint x;\n")
	other := write("other.h", "#pragma once\nint y;\n")
	plain1, plain2 := write("plain1.h", "X(1)\n"), write("plain2.h", "X(1)\n")
	empty1, empty2 := write("empty1.h", ""), write("empty2.h", "")
	importer := write("importer.c", "#import \"plain1.h\"\n")
	hiddenImporter := write("hidden.c", "# /* a comment */ import \"plain1.h\"\n")
	remark := write("remark.c", "// It is important that this file include plain1.h twice.\n#include \"plain1.h\"\n")
	spliced1, spliced2 := write("spliced1.h", "#pragma on\\\nce\nint z;\n"), write("spliced2.h", "#pragma on\\\nce\nint z;\n")
	blank1, blank2 := write("blank1.h", "#pragma on\\  \nce\nint w;\n"), write("blank2.h", "#pragma on\\  \nce\nint w;\n")
	macro := write("macro.h", "#define ONLY_ONCE _Pragma(\"once\")\n")
	pr := write("pr.h", "#define PR(x) _Pragma(#x)\n")
	marked1, marked2 := write("marked1.h", "ONCE\nint m;\n"), write("marked2.h", "ONCE\nint m;\n")
	for _, tt := range []struct {
		name string
		set  inputSet
		args []string
		want bool
	}{
		{"#pragma once copies", project(once1, other, once2), nil, true},
		{"different content", project(once1, other), nil, false},
		{"copies read twice by design", project(plain1, plain2), nil, false},
		{"copies with an #import", project(importer, plain1, plain2), nil, true},
		{"empty files", project(importer, empty1, empty2), nil, false},
		{"copies with an #import spelled after a comment", project(hiddenImporter, plain1, plain2), nil, true},
		{"copies beside a comment that says important", project(remark, plain1, plain2), nil, false},
		{"copies whose once a backslash-newline splits", project(spliced1, spliced2), nil, true},
		{"copies whose once a backslash, blanks and a newline split", project(blank1, blank2), nil, true},
		{"copies with a macro that may mark a file once", project(macro, plain1, plain2), nil, true},
		// The word comes from the command line: -DONCE=PR(once).
		{"copies marked by a -D's once", project(pr, marked1, marked2), []string{"gcc", "-DONCE=PR(once)"}, true},
		{"copies with a pragma macro and no once", project(pr, marked1, marked2), []string{"gcc", "-DONCE=PR(twice)"}, false},
	} {
		if a, _, err := onceTwins(tt.set, digest.SHA256, loadDirectiveCache(t.TempDir()), tt.args); err != nil || (a != "") != tt.want {
			t.Errorf("%s: twins %q, want %v", tt.name, a, tt.want)
		}
	}
	set := project(once1)
	set.system = []systemFile{{path: once2, digest: digest.BLAKE3.FromBytes([]byte("#pragma once\nint x;\n"))}}
	if a, b, _ := onceTwins(set, digest.SHA256, loadDirectiveCache(t.TempDir()), nil); a == "" {
		t.Errorf("a project file and a system header of the same content: no twins (%q %q)", a, b)
	}
}

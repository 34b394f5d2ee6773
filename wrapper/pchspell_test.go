package wrapper

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestIncludeNamesOfEverySpelling: gcc reads each of these sources as
// "#include <x.h>" first thing, and so reads a/x.h.gch in its place (its
// -H output says so). The parse must name x.h, or say it cannot tell: a
// source whose include it missed would be sent to a worker without the
// .gch, which compiles the header instead.
func TestIncludeNamesOfEverySpelling(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is not installed")
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "b/x.h"), []byte("int xv = 1;\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a/x.h"), []byte("int xv = 7;\n"), 0o644)
	if out, err := exec.Command("gcc", "-x", "c-header", filepath.Join(dir, "a/x.h"), "-o", filepath.Join(dir, "a/x.h.gch")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	os.Remove(filepath.Join(dir, "a/x.h"))
	for name, src := range map[string]string{
		"backslash-newline after #":         "#\\\ninclude <x.h>\n",
		"backslash-newline in the keyword":  "#inc\\\nlude <x.h>\n",
		"backslash, blank, newline":         "#\\ \ninclude <x.h>\n",
		"backslash-CRLF":                    "#\\\r\ninclude <x.h>\r\n",
		"byte order mark":                   "\xef\xbb\xbf#include <x.h>\n",
		"form feed before #":                "\f#include <x.h>\n",
		"vertical tab after #":              "#\vinclude <x.h>\n",
		"comment ending on the line before": "/* c\n*/ #include <x.h>\n",
		"comment after # ending later":      "# /* c\n*/ include <x.h>\n",
		"comment after #":                   "# /* c */ include <x.h>\n",
		"carriage returns alone":            "#define A 1\r#include <x.h>\r",
		"trigraph #, with -trigraphs":       "??=include <x.h>\n",
	} {
		src += "int get(void) { return xv; }\n"
		path := filepath.Join(dir, "s.c")
		os.WriteFile(path, []byte(src), 0o644)
		gcc := exec.Command("gcc", "-trigraphs", "-Ia", "-Ib", "-H", "-fsyntax-only", "s.c")
		gcc.Dir = dir
		if out, _ := gcc.CombinedOutput(); !strings.Contains(string(out), "! a/x.h.gch") {
			t.Errorf("%s: gcc does not read the .gch:\n%s", name, out)
			continue
		}
		if names, ok := includeNames(path); ok && !slices.Contains(names, "x.h") {
			t.Errorf("%s: includeNames(%q) = %q, ok", name, src, names)
		}
	}
}

package depscan

import (
	"slices"
	"testing"
)

// A directive that goes on past a block comment's line end counts; one
// whose comment closes on its own line, ends the directive, or stands in
// code does not.
func TestCommentSpansDirective(t *testing.T) {
	for src, want := range map[string]bool{
		"#if /*\n*/ __has_include(\"x.h\")\n#endif\n": true,
		"#pragma /* a\nlong comment */ once\n":        true,
		"  %: if /*\n\n*/ X\n#endif\n":                true,
		"#define X 1 /* a\n   comment */\n":           false,
		"#if X /* c */ && Y\n#endif\n":                false,
		"int x; /*\n*/ int y;\n":                      false,
		"#endif // see /* here\nint x; /* c\n*/ y;\n": false,
		"#if \\\nX /*\n*/ + 1\n#endif\n":              true,
		"#include \"a.h\" /* unterminated\n":          false,
	} {
		if got := commentSpansDirective([]byte(src)); got != want {
			t.Errorf("commentSpansDirective(%q) = %v, want %v", src, got, want)
		}
	}
	if d := ScanDirectives([]byte("#if /*\n*/ __has_include(\"x.h\")\n#endif\n")); d.LocalReason() == "" {
		t.Errorf("ScanDirectives of a probe after a comment's line end: no reason to keep the compile local (%+v)", d)
	}
}

// A continuation between the bytes of a comment's delimiter is a hidden
// spelling; one beside a whole delimiter is not.
func TestSplitCommentDelimiter(t *testing.T) {
	for src, want := range map[string]bool{
		"/* c *\\\n/ #include \"h.h\"\n": true, "/\\\n* c */\n": true, "/* c *\\\r/\n": true,
		"/* c *\\ \\\n\n/\n": false, "/* c */ \\\nint x;\n": false, "#define A(x) x \\\n  * 2\n": false,
		"/* c *\\\n\\\n/\n": true,
	} {
		got := slices.Contains(hiddenSpellings([]byte(src)), HiddenSplitComment)
		if got != want {
			t.Errorf("hiddenSpellings(%q) has the split comment: %v, want %v", src, got, want)
		}
	}
}

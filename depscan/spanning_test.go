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
		"#if /*\n*/ __has_include(\"x.h\")\n#endif\n":     true,
		"#pragma /* a\nlong comment */ once\n":            true,
		"  %: if /*\n\n*/ __has_include(<x.h>)\n#endif\n": true,
		"#define X 1 /* a\n   comment */\n":               false,
		"#if X /* c */ && Y\n#endif\n":                    false,
		"#if X /* a\n*/ && Y\n#endif\n":                   false,
		"#pragma /*\n*/ GCC poison once\n":                true, "#if /*\n*/ once\n#endif\n": false,
		"int x; /*\n*/ int y;\n":                            false,
		"#endif // see /* here\nint x; /* c\n*/ y;\n":       false,
		"#if \\\nX /*\n*/ + __has_include(<x.h>)\n#endif\n": true,
		"#include \"a.h\" /* unterminated\n":                false,
		// A macro's body that goes on after a comment over lines, as the
		// kernel's printk.h has: nothing rex reads follows.
		"#define P(x) do { \\\n\t/*\n\t * a comment\n\t */ \\\n\tf(x, __FILE__); \\\n} while (0)\n": false,
		"#define W(x) /*\n*/ __has_include(x)\n":                                                    true,
		"#define A /*\n*/ a /* b\n*/ _Pragma(\"once\")\n":                                           true,
		// A "//" in a literal opens no comment; a comment may stand
		// before the '#'.
		"#define P F(\"http://\", 1) /* a comment\n   over lines */ && __has_include(\"x.h\")\n": true,
		"#if '//' == 0x2f2f /* a comment\n  over lines */ && __has_include(\"x.h\")\n#endif\n":   true,
		"/* lead */ #if 1 /* a comment\n   over lines */ && __has_include(\"x.h\")\n#endif\n":    true,
		"/* a\n*/ #if 1 /* b\n */ && __has_include(\"x.h\")\n#endif\n":                           true,
		"int s; /* lead */ x = 1; /* c\n*/ __has_include(\"x.h\")\n":                             false,
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

package depscan

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// TestScanListsEverySpelling: the compile follows each of these includes
// of h.h; gcc's directives-only scan puts the marker of one after a
// comment or a form feed, and passes one spelled with %: or ??=, or after
// a null character, on as text. The scan must list h.h all the same.
func TestScanListsEverySpelling(t *testing.T) {
	for name, tc := range map[string]struct {
		src, hdr, std string
		noMD          bool // the scan reads its output's markers, not a dependency rule
	}{
		"comment before the #":          {src: "/* c */ #include \"h.h\"\n"},
		"a comment's last line":         {src: "/* c\n   d */ #include \"h.h\"\n"},
		"form feed before the #":        {src: "\f#include \"h.h\"\n"},
		"%: for #":                      {src: "%:include \"h.h\"\n"},
		"%: for #, in a header":         {src: "#include \"g.h\"\n", hdr: "%: include \"h.h\"\n"},
		"??= for #, with -std=c11":      {src: "??=include \"h.h\"\n", std: "-std=c11"},
		"%: after a comment":            {src: "/* c */ %:include \"h.h\"\n"},
		"null character before the #":   {src: "\x00#include \"h.h\"\n", noMD: true},
		"null character before %:":      {src: " \x00 %:include \"h.h\"\n", noMD: true},
		"after a splice over a lone CR": {src: "int a;\r\\\r#include \"h.h\"\r", noMD: true},
		"#include after #define %: ":    {src: "#define P %:\n#include \"h.h\"\n"},
		// The compile restores X to 1 and includes h.h; a scan that does
		// not expand the text takes X for 2.
		"_Pragma pop_macro": {src: "#define X 1\n_Pragma(\"push_macro(\\\"X\\\")\")\n#undef X\n#define X 2\n" +
			"_Pragma(\"pop_macro(\\\"X\\\")\")\n#if X == 1\n#include \"h.h\"\n#else\n#include \"g.h\"\n#endif\n"},
		"_Pragma pop_macro in a macro": {src: "#define P(x) _Pragma(#x)\n#define X 1\nP(push_macro(\"X\"))\n#undef X\n" +
			"#define X 2\nP(pop_macro(\"X\"))\n#if X == 1\n#include \"h.h\"\n#else\n#include \"g.h\"\n#endif\n"},
		"_Pragma pop_macro on a line a comment makes look like #pragma": {src: "#define X 1\n/*\n#pragma */ _Pragma(\"push_macro(\\\"X\\\")\")\n" +
			"#undef X\n#define X 2\n/*\n#pragma */ _Pragma(\"pop_macro(\\\"X\\\")\")\n#if X == 1\n#include \"h.h\"\n#else\n#include \"g.h\"\n#endif\n"},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"a.c": tc.src + "int v = HV;\n", "g.h": tc.hdr, "h.h": "#define HV 1\n"})
		argv := []string{"gcc", "-c", "a.c", "-o", "a.o"}
		if !tc.noMD {
			argv = append(argv, "-MD")
		}
		if tc.std != "" {
			argv = append(argv, tc.std)
		}
		deps, err := scan(t, parse(t, dir, argv...), dir, filepath.Join(t.TempDir(), "a.d"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Contains(deps, "h.h") {
			t.Errorf("%s: deps %q lack h.h", name, deps)
		}
	}
}

// A marker stands where a directive may start: after blanks, form feeds
// and vertical tabs included, and after comments; not after text.
func TestMarkersAfterComments(t *testing.T) {
	out := "/* c */ # 1 \"one.h\" 1\n/* c\n*/ # 1 \"two.h\" 1\n\f# 1 \"three.h\" 1\n\v # 1 \"four.h\" 1\n" +
		"x # 1 \"text.h\" 1\nx */y # 1 \"text2.h\" 1\nt = 1;\r\\\r# 1 \"five.h\" 1\n"
	want := []string{"one.h", "two.h", "three.h", "four.h", "five.h"}
	if got := markers([]byte(out)); !slices.Equal(got, want) {
		t.Errorf("markers = %q, want %q", got, want)
	}
	for s, want := range map[string]bool{"%:include \"a.h\"\n": true, "x\n /* c */ %:include\n": true,
		"??=include <a.h>\n": true, "int a = b %: c;\n": false, "s = \"??=\";\n": false, "#include \"a.h\"\n": false,
		"#pragma pop_macro(\"X\")\n": false, " # pragma pop_macro(\"X\")\n": false,
		"_Pragma(\"pop_macro(\\\"X\\\")\")\n": true, "#define R _Pragma(\"pop_macro(\\\"X\\\")\")\n": true,
		"\x00#include \"a.h\"\n": true, "char c = '\x00';\n": true,
		// Continuations split the word, which the compile joins.
		"_Pragma(\"pop_ma\\\ncro(\\\"X\\\")\")\n": true, "_Pragma(\"p\\\nush_m\\ \r\nacro(\\\"X\\\")\")\n": true,
		"_Pragma(\"pop_macr\\\no(\\\"X\\\")\")\n": true, "s = \"\\n\\t\"; pop\\\n_stack();\n": false,
		"#define L pop_ma\\\n  ker\n": false,
		// A line that begins with "#pragma" but goes on a comment or a
		// string is no directive.
		"/*\n#pragma */ _Pragma(\"pop_macro(\\\"X\\\")\")\n":        true,
		"s = \"\\\n#pragma\"; _Pragma(\"push_macro(\\\"X\\\")\")\n": true,
		"/* c\n */\n#pragma push_macro(\"X\")\n":                    false} {
		if got := unreadDirective([]byte(s)); got != want {
			t.Errorf("unreadDirective(%q) = %v", s, got)
		}
	}
}

// indexMacroWord agrees with bytes.Index wherever the word stands, on text
// made of the words' own bytes and the bytes a borrow turns into false
// candidates ('q', 'n').
func TestIndexMacroWord(t *testing.T) {
	alphabet := []byte("popush_macrxqn ")
	rng := rand.New(rand.NewPCG(1, 2))
	for _, word := range []string{"pop_macro", "push_macro"} {
		for n := 0; n < 50000; n++ {
			b := make([]byte, rng.IntN(80))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			if rng.IntN(3) == 0 {
				at := rng.IntN(len(b) + 1)
				b = append(b[:at], append([]byte(word), b[at:]...)...)
			}
			if got, want := indexMacroWord(b, word), bytes.Index(b, []byte(word)); got != want {
				t.Fatalf("indexMacroWord(%q, %s) = %d, want %d", b, word, got, want)
			}
		}
	}
}

// The output is read a chunk at a time: every chunk size finds what one
// read of the whole finds, with markers and spellings across the seams.
func TestOutputFactsAcrossChunks(t *testing.T) {
	parts := []string{"# 1 \"a.h\" 1\n", "# 2 \"b.h\" 1 3\n", " # 1 \"c.h\" 1\n", "# 5 \"a.h\" 2\n", "x # 1 \"t.h\" 1\n",
		"/* c */ # 1 \"d.h\" 1\n", "%:include <e.h>\n", "a %: b\n", "??=include <f.h>\n", "s = \"??=\";\n",
		"#pragma pop_macro(\"X\")\n", "P(pop_macro(\"X\"))\n", "int x;\n", "#define Y 1\n", "pop_macr\n", "o\n",
		"P(push_macro(\"X\"))\n", "#pragma push_macro(\"X\")\n", "\x00\n", "t;\r\\\r# 1 \"g.h\" 1\n"}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 3000; n++ {
		var b []byte
		for range rng.IntN(12) {
			b = append(b, parts[rng.IntN(len(parts))]...)
		}
		wantFiles, wantUnread := readOutputFacts(b, len(b)+1)
		for _, chunk := range []int{1, 2, 3, 5, 8, 13} {
			files, unread := readOutputFacts(b, chunk)
			if !slices.Equal(files, wantFiles) || unread != wantUnread {
				t.Fatalf("chunks of %d in %q: %q %v, want %q %v", chunk, b, files, unread, wantFiles, wantUnread)
			}
		}
	}
}

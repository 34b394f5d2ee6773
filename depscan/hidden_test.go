package depscan

import (
	"slices"
	"testing"
)

// TestHiddenSpellings: each spelling that gcc's directives-only mode may
// pass over (measured with gcc 12 in integration/adversarial, class scan)
// is found, and text that only looks like one is not.
func TestHiddenSpellings(t *testing.T) {
	for src, want := range map[string][]string{
		"#if 0\n%:else\n#endif\n":                  {HiddenDigraph},
		"#if 0\n  %: endif\n":                      {HiddenDigraph},
		"/* c */ %:include <x.h>\n":                {HiddenDigraph},
		"/* c\n */%:else\n":                        {HiddenDigraph},
		"#if 0\n%\\\n:else\n#endif\n":              {HiddenDigraph},
		"#if 0\r%:else\r#endif\r":                  {HiddenDigraph},
		"#if 0\n\x00#else\n#endif\n":               {HiddenNull},
		"char c = '\x00';\n":                       {HiddenNull},
		"#if 0\n??=else\n#endif\n":                 {HiddenTrigraph},
		"/* what??) */\n":                          nil,
		"// a comment??/\n#else\n":                 {HiddenTrigraph},
		"printf(\"%:\");\n":                        nil,
		"int a = b %: c;\n":                        nil,
		"/*\n * 100%: a comment's line\n */\n":     nil,
		"#include <x.h>\n/* ??? why */\n":          nil,
		"#define P(x) x\n#if 0\n#else\n#endif\n":   nil,
		"#if 0\n%:else\n??=endif\n\x00#endif\n":    {HiddenNull},
		"%:else\n??=endif\n":                       {HiddenDigraph},
		"s = R\"(\n#endif\n)\";\n":                 {HiddenRawString},
		"s = u8R\"x(a\n)x\"; t = LR\"(b)\";\n":     {HiddenRawString},
		"s = (LR\"(a\n)\");\n":                     {HiddenRawString},
		"s = R\\\n\"(a)\";\n":                      nil,
		"s = R\"(a\\\nb)\";\n":                     {HiddenRawString},
		"s = uR\"(a\n)\" ??/\n":                    {HiddenTrigraph, HiddenRawString},
		"s = XR\"(a)\"; t = 1R\"\"; u = u8xR\"\";": nil,
		"s = R\"(one line)\";\n":                   nil,
		"s = R\"x(a)x\" \"R\";\n":                  {HiddenRawString},
		"s = R\"a b(\n)a b\";\n":                   {HiddenRawString, HiddenQuote},
		"s = R\"(a\"b)\";\n":                       {HiddenRawString},
		"s = R\"(a\\)\";\n":                        {HiddenRawString},
		"s = R\"(unclosed\n":                       {HiddenRawString},
		// A quote left open on a line of code: the mode reads on to the
		// next quote, past the #endif and the include.
		"#if 0\nit's\n#endif\n#include <x.h>\n#if 0\n'\n#endif\n":      {HiddenQuote},
		"#if 0\nsay \"hi\n#endif\n":                                    {HiddenQuote},
		"#if 0\rit's\r#endif\r#include <x.h>\r#if 0\rHere's\r#endif\r": {HiddenQuote},
		"x = 'a' + '\\'' + '\"'; s = \"it's \\\" /*\"; // it's\n":      nil,
		"/* it's\n don't */ s = \"a\\\nb\";\n":                         nil,
		"#error can't happen\n#warning don't\n#define A it's\n":        nil,
		"#define A it's /* c\n */\n":                                   {HiddenQuote},
		"/* c */ #error can't\n":                                       {HiddenQuote},
		"s = R\"(it's\n)\"; c = u8'a';\n":                              {HiddenRawString},
		"n = 0x1'ff; f = 1.5'0;\n":                                     {HiddenDigitSep},
		"n = a'b;\n":                                                   {HiddenQuote},
	} {
		if got := hiddenSpellings([]byte(src)); !slices.Equal(got, want) {
			t.Errorf("hiddenSpellings(%q) = %q, want %q", src, got, want)
		}
		if got := ScanDirectives([]byte(src)).Hidden; !slices.Equal(got, want) {
			t.Errorf("ScanDirectives(%q).Hidden = %q, want %q", src, got, want)
		}
	}
}

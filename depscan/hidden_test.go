package depscan

import "testing"

// TestHiddenSpelling: each spelling that gcc's directives-only mode may
// pass over (measured with gcc 12 in integration/adversarial, class scan)
// is found, and text that only looks like one is not.
func TestHiddenSpelling(t *testing.T) {
	for src, want := range map[string]string{
		"#if 0\n%:else\n#endif\n":                HiddenDigraph,
		"#if 0\n  %: endif\n":                    HiddenDigraph,
		"/* c */ %:include <x.h>\n":              HiddenDigraph,
		"/* c\n */%:else\n":                      HiddenDigraph,
		"#if 0\n%\\\n:else\n#endif\n":            HiddenDigraph,
		"#if 0\r%:else\r#endif\r":                HiddenDigraph,
		"#if 0\n\x00#else\n#endif\n":             HiddenNull,
		"char c = '\x00';\n":                     HiddenNull,
		"#if 0\n??=else\n#endif\n":               HiddenTrigraph,
		"/* what??) */\n":                        "",
		"// a comment??/\n#else\n":               HiddenTrigraph,
		"printf(\"%:\");\n":                      "",
		"int a = b %: c;\n":                      "",
		" * 100%: a comment's line\n":            "",
		"#include <x.h>\n/* ??? why */\n":        "",
		"#define P(x) x\n#if 0\n#else\n#endif\n": "",
		"#if 0\n%:else\n??=endif\n\x00#endif\n":  HiddenNull,
		"%:else\n??=endif\n":                     HiddenDigraph,
	} {
		if got := hiddenSpelling([]byte(src)); got != want {
			t.Errorf("hiddenSpelling(%q) = %q, want %q", src, got, want)
		}
		if got := ScanDirectives([]byte(src)).Hidden; got != want {
			t.Errorf("ScanDirectives(%q).Hidden = %q, want %q", src, got, want)
		}
	}
}

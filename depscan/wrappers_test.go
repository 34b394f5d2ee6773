package depscan

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWrapperUses(t *testing.T) {
	ws := map[string]Wrapper{"HAS": {Macro: "HAS"}, "HASN": {Macro: "HASN", Next: true}}
	angle := func(n string, ids ...string) WrapperUse {
		return WrapperUse{Probe: Probe{Name: n, Angle: true}, Idents: ids}
	}
	quote := func(n string) WrapperUse { return WrapperUse{Probe: Probe{Name: n}} }
	for _, c := range []struct {
		name, src string
		uses      []WrapperUse
		unknown   string // a word of the reason
	}{
		{"definition and tests", "#define HAS(x) __has_include(x)\n#ifdef HAS\n#if defined(HAS) && defined HAS\n#undef HAS\n# ifndef HAS\n", nil, ""},
		{"angled", "#if HAS(<string_view>) && HAS ( <sys/stat.h> )\n", []WrapperUse{angle("string_view", "string_view"), angle("sys/stat.h", "sys", "stat", "h")}, ""},
		{"quoted", "#elif HAS(\"winapifamily.h\")\n", []WrapperUse{quote("winapifamily.h")}, ""},
		{"next", "#if HASN(<a.h>)\n", []WrapperUse{{Probe: Probe{Name: "a.h", Angle: true, Next: true}, Idents: []string{"a", "h"}}}, ""},
		{"pp-numbers are no identifiers", "#if HAS(<c++/12/x.h>) || HAS(<1st.h>)\n", []WrapperUse{angle("1st.h"), angle("c++/12/x.h", "c", "x", "h")}, ""},
		{"in another macro, angled", "#define HAS_SV HAS(<string_view>)\n", []WrapperUse{{Probe: Probe{Name: "string_view", Angle: true}, Idents: []string{"string_view"}, InDefine: true}}, ""},
		{"in another macro, quoted", "#define HAS_W HAS(\"w.h\")\n", nil, "expanding file"},
		{"a macro argument", "#if HAS(HEADER)\n", nil, "only preprocessing"},
		{"passed to a macro", "#if CALL(HAS, <a.h>)\n", nil, "only preprocessing"},
		{"wrapper of the wrapper", "#define H2(x) HAS(x)\n", nil, "only preprocessing"},
		{"blank in the name", "#if HAS(< a.h>)\n", nil, "only preprocessing"},
		{"comment in the name", "#if HAS(<a//b.h>)\n", nil, "only preprocessing"},
		{"reserved identifier", "#if HAS(<__FILE__>)\n", nil, "only preprocessing"},
		{"call on the next line", "#if HAS\n(<a.h>)\n", nil, "only preprocessing"},
		{"spliced name", "#if HA\\\nS(<a.h>)\n", []WrapperUse{angle("a.h", "a", "h")}, ""},
		{"lone CR lines", "#if 1\r#if HAS(<a.h>)\r#endif\r", []WrapperUse{angle("a.h", "a", "h")}, ""},
		{"pasted in a macro whose parameters have blanks", "#define X( a ) CAT(HA, S)(<a.h>)\n", nil, "pasting"},
		{"trigraph splice", "#if HA??/\nS(x)\n", nil, "wrapper HAS"},
		{"in a comment, unreadable", "/* HAS(x) */\n", nil, "only preprocessing"},
		{"in a comment, literal", "// HAS(<c.h>)\n", []WrapperUse{angle("c.h", "c", "h")}, ""},
		{"a name pasted", "#define CAT(a, b) a##b\n#if CAT(HA, S)(<a.h>)\n", nil, "pasting"},
		{"a piece of a name in a macro body", "#define PIECE HA\n", nil, "pasting"},
		{"pieces that are no tokens of an expansion", "#define HA(H, ...) H ## __VA_ARGS__\nint HA;\n#ifdef HA\n#if X > 1.5HA || 0xHA\n", nil, ""},
		{"a parameter in the name", "#define HAVE(f) HAS(<sys/f.h>)\n", nil, "parameter f"},
		{"digraph in the name", "#if HAS(<:a.h>) \n", nil, "only preprocessing"},
		{"string prefixes", "#if HAS(u8\"a.h\") || HAS(L\"a.h\") || HAS(R\"(a.h)\")\n", nil, "only preprocessing"},
		{"C++ named operator", "#if HAS(<and.h>)\n", nil, "only preprocessing"},
		{"__VA_OPT__ in the name", "#define H(...) HAS(<__VA_OPT__.h>)\n", nil, "only preprocessing"},
		{"a byte order mark", "\xef\xbb\xbf#if HAS(<a.h>)\n", []WrapperUse{angle("a.h", "a", "h")}, ""},
		{"longer identifiers", "#if XHAS(y) || HAS_X(z) || HASN_1\n", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			uses, unknown := WrapperUses([]byte(c.src), ws)
			if diff := cmp.Diff(c.uses, uses); diff != "" {
				t.Errorf("WrapperUses(%q) uses (-want +got):\n%s", c.src, diff)
			}
			if c.unknown == "" && unknown != "" || c.unknown != "" && !strings.Contains(unknown, c.unknown) {
				t.Errorf("WrapperUses(%q) unknown = %q, want one with %q", c.src, unknown, c.unknown)
			}
		})
	}
}

func TestDefineParams(t *testing.T) {
	for _, c := range []struct {
		line, macro string
		params      []string
	}{
		{"#define F(a, b) a b", "F", []string{"a", "b"}},
		{"#define F( a ) (g( a ) && h)", "F", []string{"a"}},
		{"#define F(a, ...) __VA_ARGS__", "F", []string{"a", "__VA_ARGS__"}},
		{"#define F() x", "F", nil},
		{"#define F (a) a", "F", nil},
	} {
		dir, at := directive([]byte(c.line))
		if dir != "define" {
			t.Fatalf("%q: directive %q", c.line, dir)
		}
		macro, params := defineParams([]byte(c.line), at)
		if string(macro) != c.macro || !slices.Equal(params, c.params) {
			t.Errorf("defineParams(%q) = %q, %q; want %q, %q", c.line, macro, params, c.macro, c.params)
		}
	}
}

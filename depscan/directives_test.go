package depscan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func angle(name string) Probe  { return Probe{Name: name, Angle: true} }
func quoted(name string) Probe { return Probe{Name: name} }
func next(p Probe) Probe       { p.Next = true; return p }

func probes(ps ...Probe) Directives                  { return Directives{Probes: ps} }
func reads(what string) Directives                   { return Directives{Reads: what} }
func hidden(d Directives, what ...string) Directives { d.Hidden = what; return d }

func TestScanDirectives(t *testing.T) {
	tests := []struct {
		name, src string
		want      Directives
	}{
		{"nothing", "#include <stdio.h>\nint main(void) { return 0; }\n", Directives{}},
		{"include with a macro is listed by -M", "#define H <stdio.h>\n#include H\n", Directives{}},
		{"angle", "#if __has_include(<sys/single_threaded.h>)\n#endif\n", probes(angle("sys/single_threaded.h"))},
		{"quote", "#if __has_include(\"cfg.h\")\n", probes(quoted("cfg.h"))},
		{"next", "#if __has_include_next(<limits.h>)\n", probes(next(angle("limits.h")))},
		{"gcc's internal spelling", "#if __has_include__(<a.h>)\n", probes(angle("a.h"))},
		{"blanks and comments", "# if __has_include /* x */ ( <a.h> ) && __has_include\t(\"b.h\")\n",
			probes(angle("a.h"), quoted("b.h"))},
		{"elif and duplicates", "#if __has_include(<a.h>)\n#elif __has_include(<a.h>) || __has_include(\"a.h\")\n#endif\n",
			probes(angle("a.h"), quoted("a.h"))},
		{"continuation", "#if defined(X) || \\\n  __has_include(<x.h>)\n", probes(angle("x.h"))},
		{"continuation inside the name", "#if __has_\\\ninclude(<x.h>)\n", probes(angle("x.h"))},
		{"continuation with blanks and CRLF", "#if __has_include( \\  \r\n <x.h>)\r\n", probes(angle("x.h"))},
		// Without trigraphs the line ends at "??/": a probe gcc rejects.
		{"trigraph continuation", "#if __has_include(??/\n<t.h>)\n",
			hidden(Directives{Probes: []Probe{angle("t.h")}, Unknown: "__has_include(??/)"}, HiddenTrigraph)},
		{"a // comment's trigraph continuation", "int x; // note??/\n#if __has_include(\"x.h\")\n#endif\n",
			hidden(probes(quoted("x.h")), HiddenTrigraph)},
		{"a // comment ended by a lone CR", "// c\r#if __has_include(\"x.h\")\r#endif\r", probes(quoted("x.h"))},
		{"trigraph directive", "??=if __has_include(<t.h>)\n", hidden(probes(angle("t.h")), HiddenTrigraph)},
		{"skippable directives", "#endif /* x */\n#include <a.h>\n  # ifdef __has_include\n#else\n", Directives{}},
		{"in a define", "#define HAVE_TBB __has_include(<tbb/tbb.h>)\n", Directives{Probes: []Probe{angle("tbb/tbb.h")}, Expanded: []string{"tbb", "h"}}},
		{"in a macro's argument", "#if ID(__has_include(<linux/x.h>))\n", Directives{Probes: []Probe{angle("linux/x.h")}, Expanded: []string{"linux", "x", "h"}}},
		{"grouped, after defined", "#if defined(X) && (__has_include(<a.h>)) || F(1) || __has_include(\"b.h\")\n", probes(angle("a.h"), Probe{Name: "b.h"})},
		{"in the arguments a macro opened", "#if OPEN __has_include(<linux/x.h>))\n", Directives{Probes: []Probe{angle("linux/x.h")}, Unknown: "__has_include(<...>) before a ')' that closes a macro's arguments"}},
		{"quoted in a macro's argument", "#if ID(__has_include(\"b.h\"))\n", probes(Probe{Name: "b.h"})},
		{"quoted in a define", "#define HAVE_W __has_include(\"w.h\")\n", Directives{Unknown: "__has_include(\"w.h\") in a macro: the directory it is probed from is the expanding file's"}},
		{"blank in a define's name", "#define HAVE_W __has_include(<a b.h>)\n", Directives{Unknown: "__has_include(<a b.h>) in a macro: only preprocessing can tell the name its tokens make"}},
		{"digraph directive", "%:if __has_include(<d.h>)\n", hidden(probes(angle("d.h")), HiddenDigraph)},
		{"macro argument", "#if __has_include(HEADER)\n", Directives{Unknown: "__has_include(HEADER)"}},
		{"wrapped in a macro", "#define HAS(x) __has_include(x)\n#if HAS(<a.h>)\n", Directives{Wrappers: []Wrapper{{Macro: "HAS"}}}},
		{"wrapper of the next", "# define HAS_NEXT( h ) (__has_include_next( h ) && 1)\n", Directives{Wrappers: []Wrapper{{Macro: "HAS_NEXT", Next: true}}}},
		{"wrapper spliced", "#define HAS(x) \\\n  __has_include(x)\n", Directives{Wrappers: []Wrapper{{Macro: "HAS"}}}},
		{"a parameter in an angled name", "#define HAVE(f) __has_include(<sys/f.h>)\n", Directives{Unknown: "__has_include(<sys/f.h>) in a macro of the parameter f"}},
		{"two parameters", "#define HAS(x, y) __has_include(y)\n", Directives{Unknown: "__has_include(y)"}},
		{"variadic", "#define HAS(...) __has_include(__VA_ARGS__)\n", Directives{Unknown: "__has_include(__VA_ARGS__)"}},
		{"not the parameter", "#define HAS(x) __has_include(y)\n", Directives{Unknown: "__has_include(y)"}},
		{"object-like", "#define HAS (x) __has_include(x)\n", Directives{Unknown: "__has_include(x)"}},
		{"parameter outside a define", "#if __has_include(x)\n", Directives{Unknown: "__has_include(x)"}},
		{"operator as a value", "#define H __has_include\n#if H(<a.h>)\n", Directives{Unknown: "__has_include without an argument list"}},
		{"defined test", "#if defined(__has_include) && defined __has_include_next\n#ifdef __has_include\n#endif\n", Directives{}},
		{"line comment", "#endif // __has_include(<no.h>)\n// #embed \"x\"\n", Directives{}},
		{"block comment on the line", "/* __has_include(<no.h>) */ int x;\n", Directives{}},
		{"string", "const char *s = \"__has_include(<no.h>)\";\n", Directives{}},
		// The clock's words count anywhere: a line that begins inside a
		// raw string or a block comment is read as code.
		{"timestamp in a comment", "/* __TIMESTAMP__ */ int x;\n", reads("__TIMESTAMP__")},
		{"after a string with //", "s = \"a//b\"; const char *t = __TIMESTAMP__;\n", reads("__TIMESTAMP__")},
		{"after a raw string", "s = R\"x(a\" //)x\"; t = __TIMESTAMP__;\n", hidden(reads("__TIMESTAMP__"), HiddenRawString)},
		{"after a digit separator", "int n = 1'000; const char *t = __TIMESTAMP__; char c = 'a';\n", hidden(reads("__TIMESTAMP__"), HiddenDigitSep)},
		{"probe after a path with //", "#if __has_include(<a//b.h>) || __has_include(<c.h>)\n",
			probes(angle("a//b.h"), angle("c.h"))},
		{"multi-line block comment is not known", "/*\n#if __has_include(<doc.h>)\n*/\n", probes(angle("doc.h"))},
		{"probe outside a directive line", "int x = __has_include(<no.h>);\n", Directives{}},
		{"directive after a comment's end", "  */ #if __has_include(<c.h>)\n", probes(angle("c.h"))},
		{"C89 division before a comment", "#if 4 //**/ __has_include(<c89.h>)\n", probes(angle("c89.h"))},
		{"similar identifiers", "int __has_includes, x__TIMESTAMP__; void dependency(void); int embedded;\n", Directives{}},
		{"timestamp", "const char *t = __TIMESTAMP__;\n", reads("__TIMESTAMP__")},
		{"clock", "const char *v = \"built \" __TIME__ \" \" __DATE__;\n", Directives{Clock: "__TIME__"}},
		{"clock in a comment or string", "// __DATE__\nconst char *s = \"__TIME__\"; int __DATE__x;\n", Directives{Clock: "__TIME__"}},
		{"a header named like the compiler's own", "#include \"<command line>\"\n", reads("a header named <command line>")},
		// The compiler reads a character literal to its closing quote,
		// however long: a quote inside opens no string.
		{"a long character literal holds a quote", "#if '\\x000000022' == '\"' && __has_include(\"x.h\")\n#endif\n", probes(quoted("x.h"))},
		{"a multi-character constant holds a quote", "#if 'abcdefghijk\"' && __has_include(\"x.h\")\n#endif\n", probes(quoted("x.h"))},
		{"a multi-character constant holds /*", "#if 'abcdefghijk/*' && __has_include(\"x.h\") /* */\n#endif\n", probes(quoted("x.h"))},
		{"an apostrophe in prose", "#error don't use __has_include(\"y.h\") here, it's\n", probes(quoted("y.h"))},
		{"a probe pasted from written pieces", "#define HAS(x) __has_##include(x)\n#if HAS(\"p.h\")\n#endif\n", Directives{Pasted: "__has_##include"}},
		{"a probe pasted with the digraph", "#define HI __has_include_ %:%: next\n", Directives{Pasted: "__has_include_%:%:next"}},
		{"once pasted", "#define O _Pragma(S(on ## ce))\n", Directives{Pasted: "on##ce"}},
		{"a probe pasted from short pieces", "#define HI _ ## _ ## h ## a ## s ## _ ## i ## n ## c ## l ## u ## d ## e\n",
			Directives{Pasted: "_##_##h##a##s##_##i##n##c##l##u##d##e"}},
		{"a clock pasted from short pieces", "#define T _ ## _ ## T ## I ## M ## E ## _ ## _\n", Directives{Pasted: "_##_##T##I##M##E##_##_"}},
		{"a paste with a comment between", "#define HI __has_/**/##include\n", Directives{Pasted: "__has_##include"}},
		{"pastes of other words", "#define CAT(a, b) a##b\n#define T(n) n##_t\n#define U __u##32\n", Directives{}},
		{"clock in an identifier", "int __DATE__x, y__TIME__, __TIMESTAMP__z;\n", Directives{}},
		{"clock after a raw string over lines", "const char *s = R\"(\n)\"; const char *t = __TIME__; const char *u = \"x\";\n",
			hidden(Directives{Clock: "__TIME__"}, HiddenRawString)},
		{"clock after a comment over lines with a quote", "/* a comment\n that says \"hi */ const char *t = __TIME__; char *u = \"x\";\n",
			Directives{Clock: "__TIME__"}},
		{"clock after a // comment's trigraph", "int x; // note??/\nconst char *t = __TIME__;\n", hidden(Directives{Clock: "__TIME__"}, HiddenTrigraph)},
		{"clock after a lone CR", "// c\rconst char *t = __TIME__;\n", Directives{Clock: "__TIME__"}},
		{"embed", "static const char d[] = {\n#embed \"data.bin\"\n};\n", reads("#embed")},
		{"embed spaced", "  #  embed <data.bin> limit(4)\n", reads("#embed")},
		{"has_embed", "#if __has_embed(\"data.bin\")\n", reads("__has_embed")},
		{"pch_preprocess", "# 1 \"a.c\"\n#pragma GCC pch_preprocess \"/tmp/p.h.gch\"\n", reads("#pragma GCC pch_preprocess")},
		{"pragma dependency", "#pragma GCC dependency \"parse.y\"\n", reads("#pragma GCC dependency")},
		{"pragma dependency after a comment's end", "/* c\n */ #pragma GCC dependency \"parse.y\"\n", reads("#pragma GCC dependency")},
		{"pragma dependency after a byte order mark", "\xef\xbb\xbf#pragma GCC dependency \"parse.y\"\n", reads("#pragma GCC dependency")},
		{"_Pragma dependency", "_Pragma(\"GCC dependency \\\"parse.y\\\"\")\n", reads("#pragma GCC dependency")},
		{"incbin in inline asm", "__asm__(\".incbin \\\"blob.bin\\\"\");\n", reads(".incbin")},
		{"incbin in upper case", "asm(\".INCBIN \\\"blob.bin\\\"\");\n", reads(".incbin")},
		{"include in a .S file", "\t.IncLude \"macros.inc\"\n", reads(".include")},
		{"asm directive in a comment", "// .incbin \"x\"\nint x; /* .include \"y\" */\n", Directives{}},
		{"asm directive in a string after //", "asm(\"nop // x\\n.incbin \\\"f\\\"\"); // .include\n", reads(".incbin")},
		{"asm directive after a closed comment", "/* c */ asm(\".include \\\"m.s\\\"\");\n", reads(".include")},
		{"asm directive in a multi-line comment reads nothing", "/*\n  .incbin data\n*/\n", Directives{}},
		{"asm directive split by a continuation", "asm(\".inc\\\nbin \\\"f\\\"\");\n", reads(".incbin")},
		{"not an asm directive", "x.includes = 1; y.incbinary = 2; #include <a.h>\n", Directives{}},
		{"incbin in adjacent strings", "asm(\".section .rodata\\n.inc\" \"bin \\\"d.bin\\\"\");\n", reads(".incbin")},
		{"include in three strings over lines", "asm(\".in\"\n  \"cl\" \\\n \"ude \\\"m.s\\\"\");\n", reads(".include")},
		{"adjacent strings that spell nothing", "puts(\".in\" \"c\"); asm(\"nop\" \"\\n\"); char *e = \"\" \".inc\";\n", Directives{}},
		{"joined words that go on", "f(\".inc\" \"binary\"); g(\"a.in\" \"cludes\");\n", Directives{}},
		{"first read wins, probes still listed", "#if __has_include(<a.h>)\n#embed \"x\"\n#endif\nconst char *t = __TIMESTAMP__;\n",
			Directives{Probes: []Probe{angle("a.h")}, Reads: "#embed"}},
		{"unterminated string is code", "x = \"oops; t = __TIMESTAMP__;\n", hidden(reads("__TIMESTAMP__"), HiddenQuote)},
		{"empty name", "#if __has_include(<>)\n", Directives{Unknown: "__has_include(<>)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScanDirectives([]byte(tt.src))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ScanDirectives(%q) mismatch (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestDirectivesLocalReason(t *testing.T) {
	for _, tt := range []struct {
		d    Directives
		want string
	}{
		{probes(angle("a.h")), ""},
		{Directives{Unknown: "__has_include(X)"}, "__has_include(X): probe of a name only preprocessing can tell"},
		{Directives{Unknown: "__has_include(X)", Reads: ".incbin"}, ".incbin reads a file the dependency scan does not list"},
	} {
		if got := tt.d.LocalReason(); got != tt.want {
			t.Errorf("%+v.LocalReason() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestAsmDirectiveInBlockComment: a header's comment block that quotes an
// assembler directive reads nothing; one after a "/*" that is no comment
// still counts.
func TestAsmDirectiveInBlockComment(t *testing.T) {
	for src, want := range map[string]string{
		"/*\n * from C via asm(\".include <asm/x.h>\")\n */\nint x;\n": "",
		"/* one line */\nasm(\".incbin \\\"d\\\"\");\n":                ".incbin",
		"const char *s = \"/*\";\nasm(\".incbin \\\"d\\\"\");\n":       ".incbin",
		"// no /* comment\nasm(\".incbin \\\"d\\\"\");\n":              ".incbin",
		"auto r = R\"(/*)\";\nasm(\".incbin \\\"d\\\"\");\n":           ".incbin",
		"/* open\n */ asm(\".incbin \\\"d\\\"\");\n":                   ".incbin",
		"/* a */ /* b\n .incbin inside\n */\n":                         "",
		"x = 1; /* trailing\n .include \"y\" still comment\n */\n":     "",
	} {
		if got := ScanDirectives([]byte(src)).Reads; got != want {
			t.Errorf("ScanDirectives(%q).Reads = %q, want %q", src, got, want)
		}
	}
}

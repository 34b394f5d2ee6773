package depscan

import "testing"

func TestPragmaMacro(t *testing.T) {
	for src, want := range map[string]bool{
		"#define ONCE _Pragma(\"once\")\n":                  true,
		"#define P(x) _Pragma(#x)\n":                        true,
		"# define D(s) _Pragma(STR(GCC diagnostic s))\n":    true,
		"#define P _Pragma \\\n (\"once\")\n":               true,
		"#define W _Pragma(\"GCC diagnostic push\")\n":      false,
		"#define W _Pragma ( \"GCC warning \\\"x\\\"\" )\n": false,
		"_Pragma(\"once\")\nint x;\n":                       false,
		"int x; /* _Pragma */\n":                            true, // a mention counts: only with a once to take
		"_Pragma(ONCE_STR)\nint x;\n":                       true,
		"#define P _Pra\\\ngma(\"once\")\n":                 true,
	} {
		if got := PragmaMacro([]byte(src)); got != want {
			t.Errorf("PragmaMacro(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestOnceToken(t *testing.T) {
	for src, want := range map[string]bool{
		"P(once)\n":                                true,
		"#define X once\n":                         true,
		"P( \"once\" )\n":                          true,
		"x = \" once \";\n":                        true,
		"P(on\\\nce)\n":                            true,
		"/* once */ // once\n/*\n * once\n */\n":   false,
		"#include <linux/once.h>\n":                false,
		"printk_once(x); s = \".data.once\";\n":    false,
		"c = 'o'; /* it's done once\n and more */": false,
		"local void once OF((once_t *));\nlocal void once(state, init)\n{ once(&s, f); x = once; }\n": false,
		"Q(a,\n once /* c */)\n": true,
		"#define CALL once(x)\n": true,
	} {
		if got := OnceToken([]byte(src)); got != want {
			t.Errorf("OnceToken(%q) = %v, want %v", src, got, want)
		}
	}
}

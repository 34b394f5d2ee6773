package depscan

import (
	"slices"
	"strings"
	"testing"
)

// inserted are constructs the fuzz target puts at a line start in random
// text, with what ScanDirectives must then report.
var inserted = []struct {
	line  string
	found func(Directives) bool
	asm   bool // an assembler directive: in a /* */ comment it reads nothing
}{
	{"#if __has_include(<fz.h>)", func(d Directives) bool { return slices.Contains(d.Probes, angle("fz.h")) }, false},
	{"# elif __has_include_next ( \"fz.h\" )", func(d Directives) bool { return slices.Contains(d.Probes, next(quoted("fz.h"))) }, false},
	{"#if __has_include(FZ_HEADER)", func(d Directives) bool { return d.Unknown != "" }, false},
	{"#embed \"fz.bin\"", hasRead, false},
	{"#if __has_embed(<fz.bin>)", hasRead, false},
	{"const char *fz = __TIMESTAMP__;", hasRead, false},
	{"__asm__(\".incbin \\\"fz.bin\\\"\");", hasRead, true},
	{"\t.include \"fz.s\"", hasRead, true},
	{"#pragma GCC pch_preprocess \"fz.h.gch\"", hasRead, false},
	{"#pragma GCC dependency \"fz.y\"", hasRead, false},
	{"static const char fz[] = __DATE__;", func(d Directives) bool { return d.Clock != "" }, false},
}

func hasRead(d Directives) bool { return d.Reads != "" }

// endsInBlockComment is a plain reference lexer: whether text ends inside a
// /* */ comment (continuations joined, strings, characters and "//"
// comments skipped). A file with a raw string is read as ending in code.
func endsInBlockComment(text string) bool {
	if strings.Contains(text, `R"`) {
		return false
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "??/", `\`), "\\\n", "")
	const (
		code = iota
		line
		block
		str
	)
	state, quote := code, byte(0)
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch state {
		case code:
			switch {
			case c == '/' && i+1 < len(text) && text[i+1] == '/':
				state, i = line, i+1
			case c == '/' && i+1 < len(text) && text[i+1] == '*':
				state, i = block, i+1
			case c == '"' || c == '\'':
				state, quote = str, c
			}
		case line:
			if c == '\n' {
				state = code
			}
		case block:
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				state, i = code, i+1
			}
		case str:
			switch {
			case c == '\\':
				i++
			case c == quote || c == '\n':
				state = code
			}
		}
	}
	return state == block
}

// FuzzScanDirectives: ScanDirectives never panics, and a known construct at
// the start of a line is never missed, whatever text surrounds it.
func FuzzScanDirectives(f *testing.F) {
	f.Add("int x; /* open", "*/ \"str\\", uint8(0))
	f.Add("#define A \\", "R\"(", uint8(3))
	f.Add("s = \"a//b\" '", "??/", uint8(6))
	f.Fuzz(func(t *testing.T, prefix, suffix string, k uint8) {
		ScanDirectives([]byte(prefix + suffix))
		c := inserted[int(k)%len(inserted)]
		// The blank line ends whatever line a trailing backslash of prefix
		// continues, so the construct starts a logical line.
		src := prefix + "\n\n" + c.line + "\n" + suffix
		if d := ScanDirectives([]byte(src)); !c.found(d) && !(c.asm && endsInBlockComment(prefix)) {
			t.Fatalf("ScanDirectives(%q) = %+v: missed %q", src, d, c.line)
		}
	})
}

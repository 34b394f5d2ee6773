package depscan

import (
	"slices"
	"testing"
)

// inserted are constructs the fuzz target puts at a line start in random
// text, with what ScanDirectives must then report.
var inserted = []struct {
	line  string
	found func(Directives) bool
}{
	{"#if __has_include(<fz.h>)", func(d Directives) bool { return slices.Contains(d.Probes, angle("fz.h")) }},
	{"# elif __has_include_next ( \"fz.h\" )", func(d Directives) bool { return slices.Contains(d.Probes, next(quoted("fz.h"))) }},
	{"#if __has_include(FZ_HEADER)", func(d Directives) bool { return d.Unknown != "" }},
	{"#embed \"fz.bin\"", hasRead},
	{"#if __has_embed(<fz.bin>)", hasRead},
	{"const char *fz = __TIMESTAMP__;", hasRead},
	{"__asm__(\".incbin \\\"fz.bin\\\"\");", hasRead},
	{"\t.include \"fz.s\"", hasRead},
	{"#pragma GCC pch_preprocess \"fz.h.gch\"", hasRead},
	{"#pragma GCC dependency \"fz.y\"", hasRead},
	{"static const char fz[] = __DATE__;", func(d Directives) bool { return d.Clock != "" }},
}

func hasRead(d Directives) bool { return d.Reads != "" }

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
		if d := ScanDirectives([]byte(src)); !c.found(d) {
			t.Fatalf("ScanDirectives(%q) = %+v: missed %q", src, d, c.line)
		}
	})
}

package depscan

import "bytes"

// gcc's directives-only mode, which the scan uses, lexes a file otherwise
// than the compile does in a few ways, and then lists less than the
// compile reads:
//   - It reads a directive only when it is spelled with '#' after blanks
//     and comments. The compile also reads one spelled "%:" (the digraph),
//     "??=" (the trigraph, where trigraphs are on) or after a null
//     character (a blank to gcc, with a warning). Where such a line is text
//     the output shows it (see fallback.go), but in a group an #if skips
//     the mode passes over "%:else" and the like without a trace.
//   - It takes R"(...)" for a raw string literal, which may span lines and
//     hide directives, in every language; the compile does only in GNU C
//     from gnu99 on and in C++ from C++11 on.
//
// The caller learns it from each file's own bytes: a compile whose scan was
// directives-only and read such a file cannot be keyed by it.

// Each of these names a spelling a file may hold (Directives.Hidden).
const (
	HiddenNull      = "a null character"
	HiddenDigraph   = "%: where a directive may start"
	HiddenTrigraph  = "a trigraph"           // "??=" or "??/": counts where trigraphs are on
	HiddenRawString = "a raw string literal" // counts where raw strings are off
)

// hiddenSpellings returns the spellings in src that may hide a directive
// from gcc's directives-only mode: one of HiddenNull or HiddenDigraph,
// which count in every language, else those of HiddenTrigraph and
// HiddenRawString it holds.
func hiddenSpellings(src []byte) []string {
	if bytes.IndexByte(src, 0) >= 0 {
		return []string{HiddenNull}
	}
	text := src
	if hasSplice(text) {
		text = splice(text) // "%\", newline, ":" is a digraph too
	}
	for off := 0; ; {
		i := bytes.Index(text[off:], []byte("%:"))
		if i < 0 {
			break
		}
		if mayStartDirective(text, off+i) {
			return []string{HiddenDigraph}
		}
		off += i + 2
	}
	var found []string
	// Of the trigraphs only '#' and the backslash of a splice can make or
	// hide a directive; "??)" and the like, in comments, are common.
	if bytes.Contains(src, []byte("??=")) || bytes.Contains(src, []byte("??/")) {
		found = append(found, HiddenTrigraph)
	}
	// Raw strings undo splices: the original bytes tell, and the spliced
	// ones find a prefix split over lines.
	if hasRawString(src) || hasRawString(text) {
		found = append(found, HiddenRawString)
	}
	return found
}

// mayStartDirective reports whether only blanks stand before text[at] on
// its line, or a comment's end ("/* c */ %:include", or "*/ %:include" on a
// comment's last line).
func mayStartDirective(text []byte, at int) bool {
	for at > 0 && isBlank(text[at-1]) {
		at--
	}
	return at == 0 || text[at-1] == '\n' || text[at-1] == '\r' || at >= 2 && text[at-2] == '*' && text[at-1] == '/'
}

// hasRawString reports whether text holds a raw string literal that a
// lexer without raw strings may read to another end: the name R, LR, uR,
// UR or u8R and '"', unless a delimiter, '(' and a body on the same line
// with no '"' or backslash follow, and the closing: a plain string literal
// "(text)" ends where R"(text)" does. (The name's R" may be text in a
// string literal, "R", which counts all the same.)
func hasRawString(text []byte) bool {
	for off := 0; ; {
		i := bytes.Index(text[off:], []byte(`R"`))
		if i < 0 {
			return false
		}
		at := off + i
		off = at + 2
		name := at
		for name > 0 && isIdent(text[name-1]) {
			name--
		}
		switch string(text[name : at+1]) {
		case "R", "LR", "uR", "UR", "u8R":
		default:
			continue
		}
		open := at + 2
		for open < len(text) && open-(at+2) <= 16 && bytes.IndexByte([]byte(" ()\\\t\v\f\n\r"), text[open]) < 0 {
			open++
		}
		if open >= len(text) || text[open] != '(' {
			return true // the mode reads on past a bad delimiter
		}
		delim := text[at+2 : open]
		end := bytes.Index(text[open+1:], append(append([]byte(")"), delim...), '"'))
		if end < 0 || bytes.ContainsAny(text[at+2:open+1+end], "\"\\\n\r") {
			return true
		}
	}
}

// HasTrigraph reports whether src holds one of the nine trigraphs: "??"
// and one of = / ' ( ) ! < > -.
func HasTrigraph(src []byte) bool {
	for {
		i := bytes.Index(src, []byte("??"))
		if i < 0 || i+2 >= len(src) {
			return false
		}
		if _, ok := trigraphs[src[i+2]]; ok {
			return true
		}
		src = src[i+1:]
	}
}

package depscan

import "bytes"

// gcc's directives-only mode, which the scan uses, reads a directive only
// when it is spelled with '#' after blanks and comments. The compile also
// reads one spelled "%:" (the digraph), "??=" (the trigraph, where
// trigraphs are on) or after a null character (a blank to gcc, with a
// warning). Where such a line is text the output shows it (see
// fallback.go), but in a group an #if skips the mode passes over "%:else"
// and the like without a trace, and the scan then lists less than the
// compile reads. The caller learns it from each file's own bytes: a
// compile whose scan was directives-only and read such a file cannot be
// keyed by it.

// Hidden values other than "" name what a file holds.
const (
	HiddenNull     = "a null character"
	HiddenDigraph  = "%: where a directive may start"
	HiddenTrigraph = "a trigraph"
)

// hiddenSpelling returns what in src may spell a directive that gcc's
// directives-only mode passes over: HiddenNull, HiddenDigraph,
// HiddenTrigraph ("??=" or "??/", which count only where trigraphs are on)
// or "".
func hiddenSpelling(src []byte) string {
	if bytes.IndexByte(src, 0) >= 0 {
		return HiddenNull
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
			return HiddenDigraph
		}
		off += i + 2
	}
	// Of the trigraphs only '#' and the backslash of a splice can make or
	// hide a directive; "??)" and the like, in comments, are common.
	if bytes.Contains(src, []byte("??=")) || bytes.Contains(src, []byte("??/")) {
		return HiddenTrigraph
	}
	return ""
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

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
	HiddenTrigraph  = "a trigraph"                   // "??=" or "??/": counts where trigraphs are on
	HiddenRawString = "a raw string literal"         // counts where raw strings are off
	HiddenQuote     = "a quote its line leaves open" // counts in C and C++, not assembly
	HiddenDigitSep  = "a digit separator"            // counts where digit separators are off
	// A comment's "/*" or "*/" that a continuation splits: the mode's
	// output then shows part of it before a line marker ("/ # 1 ..."),
	// where the marker is no longer read. Counts in every language.
	HiddenSplitComment = "a comment's /* or */ split by a continuation"
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
		if atDirectiveStart(text, off+i) {
			return []string{HiddenDigraph}
		}
		off += i + 2
	}
	var found []string
	if splitsCommentDelimiter(src) {
		found = append(found, HiddenSplitComment)
	}
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
	open, digitSep := quoteScan(text)
	if open {
		found = append(found, HiddenQuote)
	}
	if digitSep {
		found = append(found, HiddenDigitSep)
	}
	return found
}

// quoteScan reports whether a line of text that is no directive leaves a
// character or string literal open at its end (in a group an #if skips,
// "it's" in prose), which directives-only mode reads on over the lines
// after, past #endif and #include, to the next quote; and whether a '
// stands in a number (a digit separator, "1'000", which C++14 has). A
// directive's line may leave one open (the mode reads the directive as
// the compile does) unless a comment may begin after it. It reads the
// text as the compile does where it can tell, and reports open where not.
func quoteScan(text []byte) (open, digitSep bool) {
	lineStart, directive := true, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' || c == '\r' { // gcc ends a line at a lone CR too
			lineStart, directive = true, false
			continue
		}
		if isBlank(c) {
			continue
		}
		if lineStart {
			lineStart = false
			directive = c == '#' || c == '%' && i+1 < len(text) && text[i+1] == ':'
		}
		switch {
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end := bytes.Index(text[i+2:], []byte("*/"))
			if end < 0 {
				return open, digitSep
			}
			i += 2 + end + 1
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			i = lineEnd(text, i) - 1
		case c == '\'' && inNumber(text, i):
			digitSep = true
		case c == '"' && rawStringAt(text, i) >= 0:
			i = rawStringAt(text, i)
		case c == '"' || c == '\'':
			end := closingQuote(text, i)
			switch {
			case end >= 0:
				i = end
			case !directive || bytes.Contains(text[i:lineEnd(text, i)], []byte("/*")):
				return true, digitSep
			default:
				i = lineEnd(text, i) - 1
			}
		}
	}
	return false, digitSep
}

// lineEnd returns the index of the newline or carriage return that ends
// text[i]'s line, or len(text).
func lineEnd(text []byte, i int) int {
	if n := bytes.IndexAny(text[i:], "\n\r"); n >= 0 {
		return i + n
	}
	return len(text)
}

// closingQuote returns the index of the quote that closes the literal
// text[at] opens on its line, or -1.
func closingQuote(text []byte, at int) int {
	for j := at + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case '\n', '\r':
			return -1
		case text[at]:
			return j
		}
	}
	return -1
}

// inNumber reports whether the ' at text[at] stands in a preprocessing
// number: the name or number before it begins with a digit.
func inNumber(text []byte, at int) bool {
	k := at
	for k > 0 && (isIdent(text[k-1]) || text[k-1] == '.' || text[k-1] == '\'') {
		k--
	}
	return k < at && (text[k] >= '0' && text[k] <= '9' || text[k] == '.' && k+1 < at && text[k+1] >= '0' && text[k+1] <= '9')
}

// rawStringAt returns, where text[at] is the quote of a raw string
// literal's prefix (R", LR", uR", UR", u8R" and a delimiter and '('), the
// index of its closing quote (len(text)-1 when it has none); else -1.
func rawStringAt(text []byte, at int) int {
	open := rawOpening(text, at)
	if !rawNamed(text, at) || open < 0 {
		return -1
	}
	closing := append(append([]byte(")"), text[at+1:open]...), '"')
	end := bytes.Index(text[open+1:], closing)
	if end < 0 {
		return len(text) - 1
	}
	return open + 1 + end + len(closing) - 1
}

// rawNamed reports whether the name before the quote at text[at] is a raw
// string literal's prefix (see rawPrefix).
func rawNamed(text []byte, at int) bool {
	name := at
	for name > 0 && isIdent(text[name-1]) {
		name--
	}
	return rawPrefix(text[name:at])
}

// rawOpening returns the index of the '(' that ends a raw string's
// delimiter after the quote at text[at] (at most 16 characters, none a
// blank, parenthesis or backslash), or -1.
func rawOpening(text []byte, at int) int {
	open := at + 1
	for open < len(text) && open-(at+1) <= 16 && bytes.IndexByte([]byte(" ()\\\t\v\f\n\r"), text[open]) < 0 {
		open++
	}
	if open >= len(text) || text[open] != '(' {
		return -1
	}
	return open
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
		quote := off + i + 1
		off = quote + 1
		if !rawNamed(text, quote) {
			continue
		}
		open := rawOpening(text, quote)
		if open < 0 {
			return true // the mode reads on past a bad delimiter
		}
		end := bytes.Index(text[open+1:], append(append([]byte(")"), text[quote+1:open]...), '"'))
		if end < 0 || bytes.ContainsAny(text[quote+1:open+1+end], "\"\\\n\r") {
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

// splitsCommentDelimiter reports whether a continuation (or several) stands
// between the two bytes of "/*" or "*/".
func splitsCommentDelimiter(src []byte) bool {
	for off := 0; ; {
		i := bytes.IndexByte(src[off:], '\\')
		if i < 0 {
			return false
		}
		at := off + i
		off = at + 1
		if at == 0 || src[at-1] != '*' && src[at-1] != '/' || spliceLen(src[at:]) == 0 {
			continue
		}
		j := at
		for j < len(src) && src[j] == '\\' {
			n := spliceLen(src[j:])
			if n == 0 {
				break
			}
			j += n
		}
		if j < len(src) && (src[at-1] == '*' && src[j] == '/' || src[at-1] == '/' && src[j] == '*') {
			return true
		}
	}
}

package depscan

import (
	"bytes"
	"slices"
)

// The -M scan lists the files the preprocessor opened for #include. A
// compile can depend on more than that: __has_include asks whether a header
// exists (gcc 12 lists a header it finds that way only when it is also
// #included; a header that is absent is never listed, yet its appearance
// changes the compile), and some constructs read files the scan never
// names: the assembler's .incbin and .include, C23's #embed and
// __has_embed, __TIMESTAMP__ (the source file's mtime), the .gch named by
// "#pragma GCC pch_preprocess" in a preprocessed file and the file whose
// mtime "#pragma GCC dependency" compares. ScanDirectives finds them in one
// file's bytes so that the caller can key the probes or compile locally.
//
// #include with a macro argument needs nothing: -M lists what it expands to.

// Probe is one __has_include or __has_include_next test with a literal
// header name.
type Probe struct {
	Name  string // the name between the delimiters, as written
	Angle bool   // <name> rather than "name"
	Next  bool   // __has_include_next
}

// Directives is what one file may make the compiler probe or read beyond
// what the -M scan lists.
type Directives struct {
	// Probes are the literal __has_include probes, in order, without
	// duplicates.
	Probes []Probe
	// Unknown is the first probe whose argument is not a literal header
	// name (a macro, or __has_include used as a value), as written; the
	// probed name cannot be known without preprocessing.
	Unknown string
	// Expanded are the identifiers of the angled names that probes in
	// macro bodies hold: an expansion's preprocessing replaces those that
	// are macros then, so such a probe is as written only while none is.
	Expanded []string `json:",omitempty"`
	// Wrappers are the macros this file defines to hand their parameter to
	// __has_include (see wrappers.go): its uses, in any file, probe.
	Wrappers []Wrapper
	// Reads names the first construct that reads a file the scan does not
	// list: ".incbin", ".include", "#embed", "__has_embed", "__TIMESTAMP__",
	// "#pragma GCC pch_preprocess" or "#pragma GCC dependency".
	Reads string
	// Clock names the first use of the compile's own date or time,
	// "__DATE__" or "__TIME__": an object from another compile carries
	// another date unless SOURCE_DATE_EPOCH fixes it, which the caller
	// knows (LocalReason leaves it out).
	Clock string
	// Hidden names the spellings that may hide a directive from gcc's
	// directives-only scan (see hidden.go), which the caller weighs with
	// how the scan ran and the compile's language.
	Hidden []string
	// Spanning says a directive goes on after a block comment that ends
	// on a later line (see spanning.go).
	Spanning bool `json:",omitempty"`
	// Pasted is the first ## whose written pieces join into a word rex's
	// reading looks for ("__has_##include", see paste.go).
	Pasted string `json:",omitempty"`
}

// LocalReason says why a compile that reads this file cannot be keyed by
// its -M inputs and probes, or "" when it can.
func (d Directives) LocalReason() string {
	switch {
	case d.Reads != "":
		return d.Reads + " reads a file the dependency scan does not list"
	case d.Unknown != "":
		return d.Unknown + ": probe of a name only preprocessing can tell"
	case d.Spanning:
		return "a directive goes on after a block comment that ends on a later line, which rex does not read"
	case d.Pasted != "":
		return d.Pasted + " pastes a word rex reads: only preprocessing can tell what it makes"
	}
	return ""
}

// needles are the byte strings at least one of which occurs in any
// construct the C-level parse reports (after splicing). "embed" covers

// needle is a byte string at least one of which occurs in every construct
// the C-level parse reports, with the offset of its rarest byte in C text:
// searching for that byte keeps the scan near memchr speed. "embed" covers
// "#embed", "# embed" and "__has_embed"; "ragma" covers "#pragma" and
// "_Pragma", on whose lines alone pch_preprocess and dependency count.
type needle struct {
	text   string
	anchor int
}

var (
	// directiveNeedles only count on a line that holds a directive: the
	// probes are valid only in #if, #elif and in macros they expand.
	directiveNeedles = []needle{{"__has_include", 2}, {"embed", 2}, {"ragma", 2}}
	// anywhereNeedles count on any line. (The clock's words are found
	// apart, anywhere: see clockWords.)
	anywhereNeedles = []needle{{"_Pragma", 1}}
	allNeedles      = append(append([]needle{}, directiveNeedles...), anywhereNeedles...)
)

// ScanDirectives reports what src (a C, C++ or assembler source or header)
// may make the compiler probe or read beyond its -M listing. It never fails:
// what it cannot parse it reports as Unknown. Text in comments is ignored,
// conservatively: a comment that spans lines is recognised as one only for
// the assembler directives (see inBlockComment). The assembler directives
// count in any letter case, as gas and clang accept them, in code and in
// string literals (inline asm).
//
// A lone carriage return ends a line, as it does for gcc and clang (it ends
// a // comment). A file that holds "??" is read twice, with its trigraphs
// and without: "??/" ends a // comment's line, or joins the next line to
// it, as the compile reads trigraphs or not, and either may hide what the
// other shows.
func ScanDirectives(src []byte) Directives {
	text := bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a byte order mark, which gcc skips
	s := &dirScan{}
	s.d.Hidden = hiddenSpellings(text)
	text = crLineEnds(text)
	s.reading(text)
	if bytes.Contains(text, []byte("??")) {
		s.reading(replaceTrigraphs(text))
	}
	s.clockWords(text)
	if bytes.Contains(text, []byte("##")) || bytes.Contains(text, []byte("%:%:")) || bytes.Contains(text, []byte("??=")) {
		s.d.Pasted = pastedWord(Joined(text))
	}
	for _, name := range []string{"<built-in>", "<command-line>", "<command line>"} {
		// Line markers name the compiler's own so: a header of that name
		// would be left out of the scan's list (wherever the name stands:
		// a comment costs a local compile).
		if s.d.Reads == "" && bytes.Contains(text, []byte(name)) {
			s.read("a header named " + name)
		}
	}
	return s.d
}

// reading adds what one reading of a file's text holds.
func (s *dirScan) reading(text []byte) {
	for off := 0; s.d.Reads == ""; {
		at, _ := asmDirective(text, off)
		if at < 0 {
			break
		}
		end := logicalEnd(text, at)
		if !inBlockComment(text, at) {
			s.asmLine(splice(text[logicalStart(text, at):end]))
		}
		off = end
	}
	if s.d.Reads == "" {
		if word := joinedAsm(text); word != "" {
			s.read(word)
		}
	}
	s.d.Spanning = s.d.Spanning || commentSpansDirective(text)
	for _, st := range candidateLines(text) {
		ln := splice(text[st:logicalEnd(text, st)])
		if hasNeedle(ln, allNeedles) {
			s.line(ln)
		}
		s.asmLine(ln) // a directive split by a continuation
	}
}

// clockWords finds __DATE__, __TIME__ and __TIMESTAMP__ as whole words
// anywhere, in comments and string literals too: the line-by-line reading
// takes a line that begins inside a raw string or a block comment for
// code, and a quote there hides the rest of the line. A mention of one in
// a comment costs a local compile. Both trigraph readings count: a "??/"
// may join the word to the next line's.
func (s *dirScan) clockWords(text []byte) {
	readings := [][]byte{splice(text)}
	if bytes.Contains(text, []byte("??")) {
		readings = append(readings, splice(replaceTrigraphs(text)))
	}
	for _, t := range readings {
		for _, n := range clockNeedles {
			for off := 0; ; {
				i := indexAnchored(t[off:], n)
				if i < 0 {
					break
				}
				at := off + i
				end := at
				for end < len(t) && isIdent(t[end]) {
					end++
				}
				off = end
				if at > 0 && isIdent(t[at-1]) {
					continue
				}
				switch w := string(t[at:end]); w {
				case "__TIMESTAMP__":
					s.read(w)
				case "__DATE__", "__TIME__":
					if s.d.Clock == "" {
						s.d.Clock = w
					}
				}
			}
		}
	}
}

// clockNeedles are in every word clockWords looks for.
var clockNeedles = []needle{{"__TIME", 4}, {"__DATE__", 2}}

// crLineEnds returns text with each lone carriage return (one no newline
// follows) made a newline, text itself when it has none.
func crLineEnds(text []byte) []byte {
	lone := func(i int) bool { return text[i] == '\r' && (i+1 == len(text) || text[i+1] != '\n') }
	first := -1
	for off := 0; first < 0; {
		i := bytes.IndexByte(text[off:], '\r')
		if i < 0 {
			return text
		}
		if lone(off + i) {
			first = off + i
		}
		off += i + 1
	}
	out := append([]byte{}, text...)
	for i := first; i < len(out); i++ {
		if lone(i) {
			out[i] = '\n'
		}
	}
	return out
}

// candidateLines returns the starts of the logical lines of text that may
// hold a construct: a directive line ('#', or the digraph "%:") with a
// directive needle, any line with another needle, and any line with a
// continuation (which may split a needle). They come in order, each once.
func candidateLines(text []byte) []int {
	var starts []int
	for _, c := range []byte{'#', '%', '\\'} {
		for off := 0; ; {
			i := bytes.IndexByte(text[off:], c)
			if i < 0 {
				break
			}
			i += off
			if c == '\\' && spliceLen(text[i:]) == 0 || c == '%' && (i+1 >= len(text) || text[i+1] != ':') ||
				c == '#' && skippable(text, i) {
				off = i + 1
				continue
			}
			// The first '#' of a logical line comes before any construct
			// the directive holds.
			end := logicalEnd(text, i)
			if c == '\\' || hasNeedle(text[i:end], directiveNeedles) {
				starts = append(starts, logicalStart(text, i))
			}
			off = end
		}
	}
	for _, n := range anywhereNeedles {
		for off := 0; ; {
			i := indexAnchored(text[off:], n)
			if i < 0 {
				break
			}
			i += off
			starts = append(starts, logicalStart(text, i))
			off = logicalEnd(text, i)
		}
	}
	slices.Sort(starts)
	return slices.Compact(starts)
}

// skippable reports whether the '#' at text[i] starts a directive in which
// no construct counts: half the directive lines of a header are #endif,
// #include, #else, #ifdef, #ifndef and #undef, which need no further look.
func skippable(text []byte, i int) bool {
	for k := i - 1; k >= 0 && text[k] != '\n'; k-- {
		if !isBlank(text[k]) {
			return false
		}
	}
	j := i + 1
	for j < len(text) && isBlank(text[j]) {
		j++
	}
	k := j
	for k < len(text) && text[k] >= 'a' && text[k] <= 'z' {
		k++
	}
	if k < len(text) && isIdent(text[k]) {
		return false
	}
	switch string(text[j:k]) {
	case "endif", "include", "else", "ifdef", "ifndef", "undef":
		return true
	}
	return false
}

// indexAnchored is bytes.Index(s, n.text), searching for the anchor byte.
func indexAnchored(s []byte, n needle) int {
	c := n.text[n.anchor]
	for off := n.anchor; off < len(s); {
		i := bytes.IndexByte(s[off:], c)
		if i < 0 {
			return -1
		}
		start := off + i - n.anchor
		if start+len(n.text) <= len(s) && string(s[start:start+len(n.text)]) == n.text {
			return start
		}
		off += i + 1
	}
	return -1
}

func hasNeedle(ln []byte, needles []needle) bool {
	for _, n := range needles {
		if indexAnchored(ln, n) >= 0 {
			return true
		}
	}
	return false
}

// asmDirective returns the offset of the first ".incbin" or ".include" in
// text from off on, in any letter case and not followed by an identifier
// character, and which one it is; or -1.
func asmDirective(text []byte, off int) (int, string) {
	for {
		i := bytes.IndexByte(text[off:], '.')
		if i < 0 {
			return -1, ""
		}
		at := off + i
		off = at + 1
		rest := text[off:]
		for _, w := range asmWords {
			if len(rest) >= len(w) && equalFold(rest[:len(w)], w) &&
				(len(rest) == len(w) || !isIdent(rest[len(w)])) {
				return at, "." + w
			}
		}
	}
}

var asmWords = []string{"incbin", "include"}

// equalFold compares ASCII letters without case; w is lower case.
func equalFold(b []byte, w string) bool {
	for i := range b {
		if b[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

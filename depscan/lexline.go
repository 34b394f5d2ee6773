package depscan

import "bytes"

// lexMode is one reading of the lexical rules that differ between C and
// C++ standards: raw strings (C++11, GNU C), digit separators (C++14, C23)
// and // comments (all but C89); and of a character literal, which the
// compiler reads to its closing quote however long (a multi-character
// constant, '\x000000022'), and prose ("don't") does not close at all
// (longChars false reads only short ones). A construct is ignored only
// when every reading puts it inside a comment or a string literal.
type lexMode struct{ raw, digitSep, lineComments, longChars bool }

// modes returns the lexical readings of ln that can differ.
func modes(ln []byte) []lexMode {
	raws := []bool{true}
	if bytes.Contains(ln, []byte(`R"`)) {
		raws = append(raws, false)
	}
	seps, longs := []bool{true}, []bool{false}
	if bytes.IndexByte(ln, '\'') >= 0 {
		seps, longs = append(seps, false), append(longs, true)
	}
	// Without // comments (C89), "//" is two divisions, an error unless a
	// block comment follows: "a //**/ b" is a / b.
	comments := []bool{true}
	if bytes.Contains(ln, []byte("//*")) {
		comments = append(comments, false)
	}
	var ms []lexMode
	for _, r := range raws {
		for _, d := range seps {
			for _, c := range comments {
				for _, l := range longs {
					ms = append(ms, lexMode{raw: r, digitSep: d, lineComments: c, longChars: l})
				}
			}
		}
	}
	return ms
}

// line scans one logical line in every lexical reading that can matter.
func (s *dirScan) line(ln []byte) {
	for _, m := range modes(ln) {
		s.lex(ln, m)
	}
}

// asmLine reports the first assembler directive of one logical line that
// is not inside a C comment in every reading. Text after "//" or in "/* */"
// is no directive to the assembler either: gas treats both as comments or,
// on x86 in mid-line, "//" as an error.
func (s *dirScan) asmLine(ln []byte) {
	for off := 0; ; {
		at, word := asmDirective(ln, off)
		if at < 0 {
			return
		}
		off = at + 1
		commented := true
		for _, m := range modes(ln) {
			commented = commented && commentAt(ln, at, m)
		}
		if !commented {
			s.read(word)
			return
		}
	}
}

// commentAt reports whether ln[pos] lies in a comment in reading m.
func commentAt(ln []byte, pos int, m lexMode) bool {
	var prev []byte
	for i := 0; i <= pos && i < len(ln); {
		c := ln[i]
		switch {
		case c == '/' && i+1 < len(ln) && ln[i+1] == '/' && m.lineComments:
			return true
		case c == '/' && i+1 < len(ln) && ln[i+1] == '*':
			end := bytes.Index(ln[i+2:], []byte("*/"))
			if end < 0 || pos < i+end+4 {
				return true
			}
			i += end + 4
		case c == '"':
			i, prev = stringLit(ln, i, prev, m.raw), nil
		case c == '\'':
			i, prev = charLit(ln, i, m.longChars), nil
		case c >= '0' && c <= '9':
			i, prev = ppNumber(ln, i, m.digitSep), nil
		case isIdent(c):
			j := i
			for j < len(ln) && isIdent(ln[j]) {
				j++
			}
			i, prev = j, ln[i:j]
		default:
			i, prev = i+1, nil
		}
	}
	return false
}

// lex reads one logical line. The lexer starts afresh at the line start,
// so it can only take too little for a comment or a string, never too
// much: a literal it cannot close is read as code.
func (s *dirScan) lex(ln []byte, m lexMode) {
	name, i := directive(ln)
	switch name {
	case "embed":
		s.read("#embed")
	case "ifdef", "ifndef", "elifdef", "elifndef", "undef":
		return // these test whether the operators exist: no probe
	}
	pragma := name == "pragma"
	s.macro, s.param, s.params, s.calls, s.angled = nil, nil, nil, nil, false
	s.define = name == "define"
	if s.define {
		var macro []byte
		macro, s.params = defineParams(ln, i)
		if len(s.params) == 1 && s.params[0] != "__VA_ARGS__" {
			s.macro, s.param = macro, []byte(s.params[0]) // a wrapper's one parameter
		}
	}
	var prev []byte // the identifier before, if only blanks and '(' follow it
	for i < len(ln) {
		c := ln[i]
		switch {
		case c == '/' && i+1 < len(ln) && ln[i+1] == '/' && m.lineComments:
			return
		case c == '/' && i+1 < len(ln) && ln[i+1] == '*':
			end := bytes.Index(ln[i+2:], []byte("*/"))
			if end < 0 {
				return // the comment goes on past the line
			}
			i += end + 4
		case c == '"':
			i = stringLit(ln, i, prev, m.raw)
			prev = nil
		case c == '\'':
			i = charLit(ln, i, m.longChars)
			prev = nil
		case c >= '0' && c <= '9':
			i = ppNumber(ln, i, m.digitSep)
			prev = nil
		case isIdent(c):
			j := i
			for j < len(ln) && isIdent(ln[j]) {
				j++
			}
			word := ln[i:j]
			i = s.ident(ln, word, j, prev, pragma)
			prev = word
		default:
			s.paren(c, prev)
			if c != ' ' && c != '\t' && c != '(' {
				prev = nil
			}
			i++
		}
	}
}

// ident handles one identifier word that ends at ln[end] and returns where
// lexing goes on.
func (s *dirScan) ident(ln, word []byte, end int, prev []byte, pragma bool) int {
	switch w := string(word); w {
	case "__has_include", "__has_include__", "__has_include_next", "__has_include_next__":
		if string(prev) != "defined" {
			return end + s.hasInclude(ln[end:], w)
		}
	case "__has_embed", "__has_embed__":
		s.read("__has_embed")
	case "pch_preprocess", "dependency":
		if pragma {
			s.read("#pragma GCC " + w)
		}
	case "_Pragma":
		// _Pragma("GCC dependency \"f\"") is the same as the directive.
		s.pragmaOperator(ln[end:])
	}
	return end
}

// directive returns the name of the preprocessing directive ln holds
// ("" for none) and the offset just after it. '#' may be spelled "%:", and
// follow the end of a comment begun on an earlier line ("*/ #pragma").
func directive(ln []byte) (string, int) {
	i := skipBlanks(ln, 0)
	if end := bytes.Index(ln, []byte("*/")); end >= 0 && i < len(ln) && ln[i] != '#' && ln[i] != '%' {
		i = skipBlanks(ln, end+2)
	}
	switch {
	case i < len(ln) && ln[i] == '#':
		i++
	case i+1 < len(ln) && ln[i] == '%' && ln[i+1] == ':':
		i += 2
	default:
		return "", 0
	}
	i = skipBlanks(ln, i)
	j := i
	for j < len(ln) && isIdent(ln[j]) {
		j++
	}
	return string(ln[i:j]), j
}

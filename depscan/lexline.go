package depscan

import (
	"bytes"
	"slices"
)

// dirScan accumulates the Directives of one file.
type dirScan struct {
	d    Directives
	seen map[Probe]bool
	// macro and param are the name and one parameter of the function-like
	// macro the line being read defines, if it does; params are all its
	// parameters.
	macro, param []byte
	params       []string
	// define says the line being read is a #define: a probe in it is made
	// where the macro is expanded (see literalInDefine).
	define bool
	// calls says, for each parenthesis open on the line, whether it opens
	// a macro's arguments, which are expanded before the macro is.
	calls []bool
	// angled says the line probed an angled name as written.
	angled bool
}

func (s *dirScan) read(what string) {
	if s.d.Reads == "" {
		s.d.Reads = what
	}
}

func (s *dirScan) unknown(what string) {
	if s.d.Unknown == "" {
		s.d.Unknown = what
	}
}

func (s *dirScan) wrapper(w Wrapper) {
	if !slices.Contains(s.d.Wrappers, w) {
		s.d.Wrappers = append(s.d.Wrappers, w)
	}
}

func (s *dirScan) probe(p Probe) {
	if s.seen == nil {
		s.seen = map[Probe]bool{}
	}
	if !s.seen[p] {
		s.seen[p] = true
		s.d.Probes = append(s.d.Probes, p)
	}
}

// lexMode is one reading of the lexical rules that differ between C and
// C++ standards: raw strings (C++11, GNU C), digit separators (C++14, C23)
// and // comments (all but C89). A construct is ignored only when every
// reading puts it inside a comment or a string literal.
type lexMode struct{ raw, digitSep, lineComments bool }

// modes returns the lexical readings of ln that can differ.
func modes(ln []byte) []lexMode {
	raws := []bool{true}
	if bytes.Contains(ln, []byte(`R"`)) {
		raws = append(raws, false)
	}
	seps := []bool{true}
	if bytes.IndexByte(ln, '\'') >= 0 {
		seps = append(seps, false)
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
				ms = append(ms, lexMode{raw: r, digitSep: d, lineComments: c})
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
			i, prev = charLit(ln, i), nil
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
			i = charLit(ln, i)
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
	case "__TIMESTAMP__":
		s.read("__TIMESTAMP__")
	case "__DATE__", "__TIME__":
		if s.d.Clock == "" {
			s.d.Clock = w
		}
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

// hasInclude parses the argument of a probe; rest follows the operator. It
// returns the length of a literal argument list it consumed, else 0.
func (s *dirScan) hasInclude(rest []byte, op string) int {
	next := bytes.Contains([]byte(op), []byte("_next"))
	i := skipBlanks(rest, 0)
	if i >= len(rest) || rest[i] != '(' {
		s.unknown(op + " without an argument list")
		return 0
	}
	if name, angle, n := literalArgument(rest); n > 0 {
		p := Probe{Name: string(name), Angle: angle, Next: next}
		if s.define || slices.Contains(s.calls, true) {
			s.literalInDefine(op, p)
		} else {
			s.probe(p)
			s.angled = s.angled || p.Angle
		}
		return n
	}
	i = skipBlanks(rest, i+1)
	arg := rest[i:]
	if j := bytes.IndexByte(arg, ')'); j >= 0 {
		arg = arg[:j]
		if s.param != nil && bytes.Equal(bytes.TrimSpace(arg), s.param) {
			s.wrapper(Wrapper{Macro: string(s.macro), Next: next})
			return i + j + 1
		}
	}
	if len(arg) > 60 {
		arg = arg[:60]
	}
	s.unknown(op + "(" + string(bytes.TrimSpace(arg)) + ")")
	return 0
}

// literalArgument reads an argument list of one literal header name,
// ("name") or (<name>), blanks and comments around, at the start of rest:
// the name, whether it is angled, and the length of the list; n is 0 when
// rest starts with no such list.
func literalArgument(rest []byte) (name []byte, angle bool, n int) {
	i := skipBlanks(rest, 0)
	if i >= len(rest) || rest[i] != '(' {
		return nil, false, 0
	}
	i = skipBlanks(rest, i+1)
	if i >= len(rest) || rest[i] != '<' && rest[i] != '"' {
		return nil, false, 0
	}
	closer := byte('>')
	if rest[i] == '"' {
		closer = '"'
	}
	j := bytes.IndexByte(rest[i+1:], closer)
	if j <= 0 {
		return nil, false, 0
	}
	k := skipBlanks(rest, i+2+j)
	if k >= len(rest) || rest[k] != ')' {
		return nil, false, 0
	}
	return rest[i+1 : i+1+j], closer == '>', k + 1
}

// pragmaOperator checks the string of _Pragma("...") for the pragmas that
// read files.
func (s *dirScan) pragmaOperator(rest []byte) {
	i := skipBlanks(rest, 0)
	if i >= len(rest) || rest[i] != '(' {
		return
	}
	body := rest[i:]
	for _, w := range []string{"pch_preprocess", "dependency"} {
		if bytes.Contains(body, []byte(w)) {
			s.read("#pragma GCC " + w)
		}
	}
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

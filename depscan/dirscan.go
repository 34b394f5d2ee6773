package depscan

import (
	"bytes"
	"slices"
)

// What one file's lines add to its Directives: the probes, the wrappers,
// the constructs that read files, and what cannot be known.

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

package depscan

import "bytes"

// Two translation phases come before tokens and can hide a needle:
// trigraphs (??= is '#', ??/ is '\', with -trigraphs or a strict -std) and
// line splicing (a backslash, optional blanks as gcc and clang accept with
// a warning, and a newline: also CRLF, or a lone CR, which gcc takes for
// one). ScanDirectives reads a file that holds "??" with its trigraphs
// replaced and as it is (replacing can hide as well as show: "??/" joins
// the line after a // comment to the comment) and splices only the
// logical lines it reads. A plain search for a word (Joined) loses nothing
// to the replacing, which can only add matches.

// Joined returns src as the compiler reads its lines, for a search that
// must not miss a word a continuation splits ("#pragma on\<newline>ce"):
// its trigraphs replaced (whether or not the compile reads them, which can
// only add matches) and its continuations removed. src itself when it has
// neither.
func Joined(src []byte) []byte {
	if bytes.Contains(src, []byte("??")) {
		src = replaceTrigraphs(src)
	}
	return splice(src)
}

// splice returns ln without its continuations (ln itself when it has none).
func splice(ln []byte) []byte {
	if !hasSplice(ln) {
		return ln
	}
	out := make([]byte, 0, len(ln))
	for len(ln) > 0 {
		i := bytes.IndexByte(ln, '\\')
		if i < 0 {
			out = append(out, ln...)
			break
		}
		out = append(out, ln[:i]...)
		if n := spliceLen(ln[i:]); n > 0 {
			ln = ln[i+n:]
			continue
		}
		out = append(out, '\\')
		ln = ln[i+1:]
	}
	return out
}

// hasSplice reports whether text holds a backslash-newline.
func hasSplice(text []byte) bool {
	for off := 0; ; {
		i := bytes.IndexByte(text[off:], '\\')
		if i < 0 {
			return false
		}
		if spliceLen(text[off+i:]) > 0 {
			return true
		}
		off += i + 1
	}
}

// spliceLen returns the length of the continuation b starts with (b[0] is
// a backslash), or 0.
func spliceLen(b []byte) int {
	j := 1
	for j < len(b) && isBlank(b[j]) {
		j++
	}
	switch {
	case j < len(b) && b[j] == '\n':
		return j + 1
	case j+1 < len(b) && b[j] == '\r' && b[j+1] == '\n':
		return j + 2
	case j < len(b) && b[j] == '\r':
		return j + 1 // a lone carriage return ends a line too
	}
	return 0
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' || c == '\v' }

// logicalStart returns the start of the logical line that holds text[i].
func logicalStart(text []byte, i int) int {
	j := bytes.LastIndexByte(text[:i], '\n')
	for j >= 0 && continued(text, j) {
		j = bytes.LastIndexByte(text[:j], '\n')
	}
	return j + 1
}

// logicalEnd returns the offset of the newline that ends the logical line
// holding text[i], or len(text).
func logicalEnd(text []byte, i int) int {
	for {
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			return len(text)
		}
		if !continued(text, i+j) {
			return i + j
		}
		i += j + 1
	}
}

// continued reports whether the newline at text[nl] ends a continuation.
func continued(text []byte, nl int) bool {
	m := nl - 1
	if m >= 0 && text[m] == '\r' {
		m--
	}
	for m >= 0 && isBlank(text[m]) {
		m--
	}
	return m >= 0 && text[m] == '\\'
}

var trigraphs = map[byte]byte{
	'=': '#', '/': '\\', '\'': '^', '(': '[', ')': ']', '!': '|', '<': '{', '>': '}', '-': '~',
}

func replaceTrigraphs(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		if src[i] == '?' && i+2 < len(src) && src[i+1] == '?' {
			if c, ok := trigraphs[src[i+2]]; ok {
				out = append(out, c)
				i += 2
				continue
			}
		}
		out = append(out, src[i])
	}
	return out
}

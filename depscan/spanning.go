package depscan

import "bytes"

// A block comment that a directive's line opens and a later line closes
// is one blank to the compiler: the directive goes on after it
// ("#if /*", newline, "*/ __has_include(...)", or "#pragma /*", newline,
// "*/ once"). rex reads each directive as its logical line, so it would
// miss what comes after such a comment; a file that holds one keeps its
// compile local.

// commentSpansDirective reports whether a directive line of text opens a
// block comment that closes on a later line, after which the directive
// holds what rex's reading looks for (a needle, "include" or "import", or
// a #pragma's "once"). A macro's body often goes on after a comment over
// several lines (the kernel's printk.h): that alone does not count. A
// "/*" in a string literal may be taken for a comment: that can only keep
// a compile local.
func commentSpansDirective(text []byte) bool {
	for off := 0; ; {
		i := bytes.Index(text[off:], []byte("/*"))
		if i < 0 {
			return false
		}
		at := off + i
		st := logicalStart(text, at)
		off = at + 2
		if !directiveLine(text[st:at]) || !opensComment(splice(text[st:at])) {
			continue
		}
		// The directive's extent: its logical line, and on past each
		// comment in it that closes on a later line. What stands after
		// such a comment (outside comments) is what rex's reading misses.
		first := logicalEnd(text, at)
		end := first
		var missed []byte
		for c := at; ; {
			closeAt := bytes.Index(text[c+2:], []byte("*/"))
			if closeAt < 0 {
				return false // unterminated: the compile fails
			}
			closeAt += c + 2
			if closeAt >= end {
				end = logicalEnd(text, closeAt)
			}
			segEnd := end
			next := bytes.Index(text[closeAt+2:end], []byte("/*"))
			if next >= 0 {
				segEnd = closeAt + 2 + next
			}
			if closeAt >= first {
				missed = append(append(missed, ' '), text[closeAt+2:segEnd]...)
			}
			if next < 0 {
				break
			}
			c = segEnd
		}
		if readsMore(missed, bytes.Contains(text[st:first], []byte("ragma"))) {
			return true
		}
		off = end
	}
}

// readsMore reports whether rest, the part of a directive that comes after
// a comment over lines, holds what rex's reading of directives looks for.
func readsMore(rest []byte, pragma bool) bool {
	return hasNeedle(rest, allNeedles) || bytes.Contains(rest, []byte("include")) ||
		bytes.Contains(rest, []byte("import")) || pragma && bytes.Contains(rest, []byte("once"))
}

// directiveLine reports whether a logical line that begins with head
// starts a directive: '#' or "%:" after blanks and comments ("/* c */ #if",
// or "*/ #if" where a comment begun on an earlier line ends).
func directiveLine(head []byte) bool {
	head = splice(head)
	for {
		head = bytes.TrimLeft(head, " \t\f\v\r")
		switch {
		case bytes.HasPrefix(head, []byte("#")) || bytes.HasPrefix(head, []byte("%:")):
			return true
		case bytes.HasPrefix(head, []byte("/*")):
			end := bytes.Index(head[2:], []byte("*/"))
			if end < 0 {
				return false
			}
			head = head[end+4:]
		default:
			end := bytes.Index(head, []byte("*/"))
			if end < 0 {
				return false
			}
			head = head[end+2:]
		}
	}
}

// opensComment reports whether a "/*" after head, the start of its logical
// line, opens a comment in some lexical reading of the line: in none when
// a "//" comment or a literal holds it.
func opensComment(head []byte) bool {
	ln := append(append([]byte{}, head...), "/*"...)
	for _, m := range modes(ln) {
		if codeAt(ln, len(head), m) {
			return true
		}
	}
	return false
}

// codeAt reports whether ln[pos] lies outside comments and literals in
// reading m.
func codeAt(ln []byte, pos int, m lexMode) bool {
	var prev []byte // the identifier just before: R"( opens a raw string
	for i := 0; i < len(ln); {
		if i == pos {
			return true
		}
		if i > pos {
			return false
		}
		c := ln[i]
		if isIdent(c) && (c < '0' || c > '9') {
			j := i
			for j < len(ln) && isIdent(ln[j]) {
				j++
			}
			prev, i = ln[i:j], j
			continue
		}
		word := prev
		prev = nil
		switch {
		case c == '/' && i+1 < len(ln) && ln[i+1] == '/' && m.lineComments:
			return false
		case c == '/' && i+1 < len(ln) && ln[i+1] == '*':
			end := bytes.Index(ln[i+2:], []byte("*/"))
			if end < 0 {
				return false
			}
			i += end + 4
		case c == '"':
			i = stringLit(ln, i, word, m.raw)
		case c == '\'':
			i = charLit(ln, i, m.longChars)
		case c >= '0' && c <= '9':
			i = ppNumber(ln, i, m.digitSep)
		default:
			i++
		}
	}
	return pos >= len(ln)
}

package depscan

import "bytes"

// A block comment that a directive's line opens and a later line closes
// is one blank to the compiler: the directive goes on after it
// ("#if /*", newline, "*/ __has_include(...)", or "#pragma /*", newline,
// "*/ once"). rex reads each directive as its logical line, so it would
// miss what comes after such a comment; a file that holds one keeps its
// compile local.

// commentSpansDirective reports whether a directive line of text opens a
// block comment that closes on a later line with more than blanks after
// it. A "/*" in a string literal or after a "//" may be taken for one:
// that can only keep a compile local.
func commentSpansDirective(text []byte) bool {
	for off := 0; ; {
		i := bytes.Index(text[off:], []byte("/*"))
		if i < 0 {
			return false
		}
		at := off + i
		st := logicalStart(text, at)
		end := logicalEnd(text, at)
		off = at + 2
		if !directiveLine(text[st:at]) || bytes.Contains(text[st:at], []byte("//")) {
			continue
		}
		closeAt := bytes.Index(text[at+2:], []byte("*/"))
		if closeAt < 0 {
			return false // unterminated: the compile fails
		}
		closeAt += at + 2
		if closeAt < end {
			continue // closed on its own line: the lexer reads it
		}
		rest := text[closeAt+2 : logicalEnd(text, closeAt)]
		if len(bytes.TrimLeft(rest, " \t\f\v\r")) > 0 {
			return true
		}
		off = closeAt + 2
	}
}

// directiveLine reports whether a logical line that begins with head
// starts a directive: '#' or "%:" after blanks.
func directiveLine(head []byte) bool {
	head = bytes.TrimLeft(splice(head), " \t\f\v\r")
	return bytes.HasPrefix(head, []byte("#")) || bytes.HasPrefix(head, []byte("%:"))
}

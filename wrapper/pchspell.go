package wrapper

import (
	"bytes"

	"github.com/rexbuild/rex/depscan"
)

// The include parse of pch.go reads a source's lines as they stand, but a
// compiler reads a directive after translation phases that can spell it
// otherwise: a backslash-newline anywhere in it ("#\" then "include <x.h>"
// on the next line), blanks between that backslash and the newline (gcc
// warns, and accepts), a lone carriage return as a line's end, a byte
// order mark before the first line, trigraphs ("??=" is '#', "??/" a
// backslash) with -trigraphs or a strict -std. A directive missed there
// is a .gch the search never looks for. directiveText undoes what it can
// and refuses the rest.

// byteOrderMark is UTF-8's, which gcc skips at the start of a file.
var byteOrderMark = []byte("\xef\xbb\xbf")

// directiveText returns data as the preprocessor's directives read it, or
// false when it holds a trigraph or NUL bytes (which gcc ignores), which it
// does not undo. Other runs of question marks ("???" in a comment) read
// the same with trigraphs on or off.
func directiveText(data []byte) ([]byte, bool) {
	if depscan.HasTrigraph(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, false
	}
	data = bytes.TrimPrefix(data, byteOrderMark)
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	return withoutSplices(data), true
}

// withoutSplices removes each backslash that blanks and a newline follow,
// with them (data's lines end in '\n').
func withoutSplices(data []byte) []byte {
	if bytes.IndexByte(data, '\\') < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for {
		i := bytes.IndexByte(data, '\\')
		if i < 0 {
			return append(out, data...)
		}
		out = append(out, data[:i]...)
		j := i + 1
		for j < len(data) && isDirectiveBlank(data[j]) {
			j++
		}
		if j < len(data) && data[j] == '\n' {
			data = data[j+1:]
			continue
		}
		out = append(out, '\\')
		data = data[i+1:]
	}
}

// directiveBlanks are the blanks a directive may hold between its tokens.
const directiveBlanks = " \t\f\v"

func isDirectiveBlank(c byte) bool { return bytes.IndexByte([]byte(directiveBlanks), c) >= 0 }

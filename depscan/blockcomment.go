package depscan

import "bytes"

// inBlockComment reports whether text[pos] lies inside a /* */ comment
// that began on an earlier line, such as the lines of a header's comment
// block that quote asm(".include <...>"). It answers yes only when that is
// certain in every lexical reading: the last "/*" before pos is not closed
// before it, starts a comment on its own line (it is neither in a string
// nor after "//"), and the file has no raw string literal, which could
// hold a "/*" across lines. Any doubt is a no, which only costs a local
// compile.
func inBlockComment(text []byte, pos int) bool {
	open := bytes.LastIndex(text[:pos], []byte("/*"))
	if open < 0 || bytes.Contains(text[open+2:pos], []byte("*/")) || bytes.Contains(text, []byte(`R"`)) {
		return false
	}
	if bytes.IndexByte(text[open:pos], '\n') < 0 {
		return false // the same line: asmLine's own check decides
	}
	start := bytes.LastIndexByte(text[:open], '\n') + 1
	if start >= 2 && text[start-2] == '\\' {
		return false // the line continues another, which may be a string
	}
	if open > start && (text[open-1] == '/' || text[open-1] == '*') {
		return false // "//*" is a line comment, "*/*" ends one
	}
	return isCode(text[start:open])
}

// isCode reports whether what follows the one-line prefix ln is code: ln
// closes every string, character literal and comment it opens, and holds
// no "//" comment and no line continuation.
func isCode(ln []byte) bool {
	for i := 0; i < len(ln); i++ {
		switch c := ln[i]; {
		case c == '\\':
			return false
		case c == '/' && i+1 < len(ln) && ln[i+1] == '/':
			return false
		case c == '/' && i+1 < len(ln) && ln[i+1] == '*':
			end := bytes.Index(ln[i+2:], []byte("*/"))
			if end < 0 {
				return false
			}
			i += end + 3
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(ln) && ln[j] != c {
				if ln[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(ln) {
				return false
			}
			i = j
		}
	}
	return true
}

package depscan

import "bytes"

// isIdent reports whether c may occur in an identifier: gcc and clang also
// accept '$' and UTF-8.
func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// skipBlanks skips white space and /* */ comments that close on the line.
func skipBlanks(b []byte, i int) int {
	for i < len(b) {
		switch {
		case b[i] == ' ' || b[i] == '\t' || b[i] == '\f' || b[i] == '\v' || b[i] == '\r':
			i++
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			end := bytes.Index(b[i+2:], []byte("*/"))
			if end < 0 {
				return i
			}
			i += end + 4
		default:
			return i
		}
	}
	return i
}

// stringLit returns the offset after the string literal that starts at
// ln[i] ('"'), or i+1 when it does not close on the line (then it is read
// as code). prev is the identifier just before it, for raw strings.
func stringLit(ln []byte, i int, prev []byte, raw bool) int {
	if raw && rawPrefix(prev) {
		if end, ok := rawStringEnd(ln, i); ok {
			return end
		}
	}
	for j := i + 1; j < len(ln); j++ {
		switch ln[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return i + 1
}

func rawPrefix(p []byte) bool {
	switch string(p) {
	case "R", "LR", "uR", "UR", "u8R":
		return true
	}
	return false
}

// rawStringEnd finds the end of R"delim( ... )delim" starting at ln[i].
func rawStringEnd(ln []byte, i int) (int, bool) {
	open := bytes.IndexByte(ln[i+1:], '(')
	if open < 0 || open > 16 {
		return 0, false
	}
	delim := ln[i+1 : i+1+open]
	if bytes.ContainsAny(delim, " \t\\)\"") {
		return 0, false
	}
	closer := append(append([]byte{')'}, delim...), '"')
	body := i + 2 + open
	end := bytes.Index(ln[body:], closer)
	if end < 0 {
		return 0, false
	}
	return body + end + len(closer), true
}

// charLit returns the offset after the character literal at ln[i] ('\”),
// or i+1 when none closes there: a short one, or with long any that
// closes on the line.
func charLit(ln []byte, i int, long bool) int {
	limit := i + 12
	if long {
		limit = len(ln)
	}
	for j := i + 1; j < len(ln) && j < limit; j++ {
		switch ln[j] {
		case '\\':
			j++
		case '\'':
			if j > i+1 {
				return j + 1
			}
			return i + 1
		}
	}
	return i + 1
}

// ppNumber returns the offset after the preprocessing number at ln[i] (a
// digit): digits, letters, '.', exponent signs and, with digitSep, a '\”
// followed by a digit or letter.
func ppNumber(ln []byte, i int, digitSep bool) int {
	j := i + 1
	for j < len(ln) {
		c := ln[j]
		switch {
		case isIdent(c) || c == '.':
			j++
		case (c == '+' || c == '-') && strchr("eEpP", ln[j-1]):
			j++
		case c == '\'' && digitSep && j+1 < len(ln) && isIdent(ln[j+1]):
			j += 2
		default:
			return j
		}
	}
	return j
}

func strchr(set string, c byte) bool {
	return bytes.IndexByte([]byte(set), c) >= 0
}

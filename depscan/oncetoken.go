package depscan

import "bytes"

// A file can be marked read-once by a macro that another file defines:
// "#define ONCE _Pragma(\"once\")" in one header, "ONCE" in another, or
// "#define P(x) _Pragma(#x)" and "P(once)". The bytes of the marked file
// need not say "once" then. These tell the caller when that may be.

// PragmaMacro reports whether src defines a macro that may expand to a
// _Pragma that marks a file once: a #define whose line (spliced) holds
// _Pragma and either "once" or an operand that is no string literal
// (#x, STR(x)), which the macro's uses may make "once".
func PragmaMacro(src []byte) bool {
	if !bytes.Contains(src, []byte("_Pragma")) {
		return false
	}
	text := src
	if hasSplice(text) {
		text = splice(text)
	}
	for off := 0; ; {
		i := bytes.Index(text[off:], []byte("_Pragma"))
		if i < 0 {
			return false
		}
		at := off + i
		off = at + len("_Pragma")
		start := bytes.LastIndexAny(text[:at], "\n\r") + 1
		line := text[start:lineEnd(text, at)]
		if !bytes.HasPrefix(bytes.TrimLeft(line, " \t\f\v"), []byte("#")) {
			continue // a use, not a definition: its file says once itself
		}
		rest := bytes.TrimLeft(text[off:lineEnd(text, at)], " \t\f\v")
		if bytes.Contains(line, []byte("once")) || !bytes.HasPrefix(bytes.TrimPrefix(rest, []byte("(")), []byte(`"`)) &&
			!bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(rest, []byte("(")), " \t"), []byte(`"`)) {
			return true
		}
	}
}

// OnceToken reports whether src holds "once" where a macro may take it
// into a _Pragma: as a word of code or of a directive other than
// #include (comments and #include's header names aside), or as a string
// literal's whole text. Words in comments and longer names
// ("printk_once", ".data.once") do not count.
func OnceToken(src []byte) bool {
	text := src
	if hasSplice(text) {
		text = splice(text)
	}
	if !bytes.Contains(text, []byte("once")) {
		return false
	}
	lineStart, include := true, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n' || c == '\r':
			lineStart, include = true, false
			continue
		case isBlank(c):
			continue
		case lineStart && c == '#':
			lineStart = false
			rest := bytes.TrimLeft(text[i+1:lineEnd(text, i)], " \t")
			include = bytes.HasPrefix(rest, []byte("include")) || bytes.HasPrefix(rest, []byte("import"))
			continue
		}
		lineStart = false
		switch {
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end := bytes.Index(text[i+2:], []byte("*/"))
			if end < 0 {
				return false
			}
			i += 2 + end + 1
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			i = lineEnd(text, i) - 1
		case include:
			i = lineEnd(text, i) - 1
		case c == '"' && rawStringAt(text, i) >= 0:
			i = rawStringAt(text, i)
		case c == '"' || c == '\'':
			end := closingQuote(text, i)
			if end < 0 {
				end = lineEnd(text, i) - 1
			}
			if c == '"' && string(bytes.Trim(text[i+1:end+1], " \t\"")) == "once" {
				return true
			}
			i = end
		case isIdent(c):
			j := i
			for j < len(text) && isIdent(text[j]) {
				j++
			}
			if string(text[i:j]) == "once" {
				return true
			}
			i = j - 1
		}
	}
	return false
}

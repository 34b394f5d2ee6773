package depscan

import "bytes"

// A file can be marked read-once by a macro that another file defines:
// "#define ONCE _Pragma(\"once\")" in one header, "ONCE" in another, or
// "#define P(x) _Pragma(#x)" and "P(once)". The bytes of the marked file
// need not say "once" then. These tell the caller when that may be.

// PragmaMacro reports whether src may mark a file once through a macro: a
// _Pragma whose operand is no string literal (#x in a macro, STR(x), a
// macro's name: the operand's expansion may say "once"), or a #define
// whose _Pragma says once, which its uses elsewhere carry out.
func PragmaMacro(src []byte) bool {
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
		end := lineEnd(text, at)
		operand := bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(text[off:end], " \t\f\v"), []byte("(")), " \t\f\v")
		if !bytes.HasPrefix(operand, []byte(`"`)) {
			return true
		}
		line := text[bytes.LastIndexAny(text[:at], "\n\r")+1 : end]
		if bytes.HasPrefix(bytes.TrimLeft(line, " \t\f\v"), []byte("#")) && bytes.Contains(line, []byte("once")) {
			return true
		}
	}
}

// OnceToken reports whether src holds "once" where a macro may take it
// into a _Pragma: as a word of a directive other than #include ("#define
// X once"), as a macro's whole argument in code ("P(once)", "Q(a, once)"),
// or as a string literal's whole text. Words in comments, longer names
// ("printk_once", ".data.once") and a function's name ("void once(...)",
// as zlib's crc32.c has) do not count.
func OnceToken(src []byte) bool {
	text := src
	if hasSplice(text) {
		text = splice(text)
	}
	if !bytes.Contains(text, []byte("once")) {
		return false
	}
	lineStart, include, directive := true, false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n' || c == '\r':
			lineStart, include, directive = true, false, false
			continue
		case isBlank(c):
			continue
		case lineStart && c == '#':
			lineStart = false
			rest := bytes.TrimLeft(text[i+1:lineEnd(text, i)], " \t")
			include = bytes.HasPrefix(rest, []byte("include")) || bytes.HasPrefix(rest, []byte("import"))
			directive = !include
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
			if string(text[i:j]) == "once" && (directive || wholeArgument(text, i, j)) {
				return true
			}
			i = j - 1
		}
	}
	return false
}

// wholeArgument reports whether the word text[i:j] stands alone between
// '(' or ',' and ')' or ',', blanks, newlines and comments aside (a
// comment's edge counts as either).
func wholeArgument(text []byte, i, j int) bool {
	for i > 0 && bytes.IndexByte([]byte(" \t\f\v\n\r"), text[i-1]) >= 0 {
		i--
	}
	for j < len(text) && bytes.IndexByte([]byte(" \t\f\v\n\r"), text[j]) >= 0 {
		j++
	}
	return i > 0 && bytes.IndexByte([]byte("(,/"), text[i-1]) >= 0 && j < len(text) && bytes.IndexByte([]byte("),/"), text[j]) >= 0
}

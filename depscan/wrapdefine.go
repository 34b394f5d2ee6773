package depscan

import (
	"bytes"
	"slices"
)

// A macro's body reaches __has_include with tokens its definition does not
// fix. A parameter is replaced by the argument of each expansion: in
// "#define HAVE(f) __has_include(<f.h>)", HAVE(stdio) probes <stdio.h>,
// not <f.h>. And the tokens of an #if line or of a macro body can be
// pasted (##) into a wrapper's name, which then never appears as written:
// CAT(PROBE, _H)(<a.h>). Both leave the probe to preprocessing alone.

// defineParams returns the parameters of the function-like macro that the
// #define directive ln (whose "define" ends at i) defines, "__VA_ARGS__"
// for "...", and the macro's name.
func defineParams(ln []byte, i int) (macro []byte, params []string) {
	i = skipBlanks(ln, i)
	j := identEnd(ln, i)
	macro = ln[i:j]
	if j == i || j >= len(ln) || ln[j] != '(' {
		return macro, nil
	}
	for k := skipBlanks(ln, j+1); k < len(ln) && ln[k] != ')'; k = skipBlanks(ln, k) {
		switch l := identEnd(ln, k); {
		case l > k:
			params = append(params, string(ln[k:l]))
			k = l
		case bytes.HasPrefix(ln[k:], []byte("...")):
			params = append(params, "__VA_ARGS__")
			k += 3
		default:
			k++
		}
	}
	return macro, params
}

// paramInName returns the first identifier of the header name n that is
// one of params, or "".
func paramInName(n []byte, params []string) string {
	for _, id := range nameIdents(n) {
		if slices.Contains(params, id) {
			return id
		}
	}
	return ""
}

// pastePiece returns what in the (spliced) text t could be pasted into the
// name of one of wrappers: a word of an #if, #elif or #define line that is
// a proper prefix of the name, which pasting alone can complete. A
// #define's own name and parameters do not count: neither is a token of
// its expansions. "" when there is none.
func pastePiece(t []byte, wrappers map[string]Wrapper) string {
	found := ""
	eachLine(t, func(ln []byte) bool {
		dir, at := directive(ln)
		if dir != "if" && dir != "elif" && dir != "define" {
			return true
		}
		var skip []string
		if dir == "define" {
			macro, params := defineParams(ln, at)
			skip = append(params, string(macro))
		}
		found = prefixWord(ln[at:], wrappers, skip)
		return found == ""
	})
	return found
}

// PastePiece returns what in text (a compile's argument) could be pasted
// into the name of one of wrappers (see pastePiece), or "".
func PastePiece(text string, wrappers map[string]Wrapper) string {
	return prefixWord([]byte(text), wrappers, nil)
}

// prefixWord returns a message naming the first word of ln, not one of
// skip, that is a proper prefix of a wrapper's name, or "".
func prefixWord(ln []byte, wrappers map[string]Wrapper, skip []string) string {
	for i := 0; i < len(ln); {
		if c := ln[i]; c >= '0' && c <= '9' || c == '.' && i+1 < len(ln) && ln[i+1] >= '0' && ln[i+1] <= '9' {
			i = ppNumber(ln, i, false) // 1.0F holds no word F
			continue
		}
		j := identEnd(ln, i)
		if j == i {
			i++
			continue
		}
		w := string(ln[i:j])
		i = j
		if _, ok := wrappers[w]; ok || slices.Contains(skip, w) {
			continue // a wrapper's own name is a use (see wrapperUse)
		}
		for name := range wrappers {
			if len(w) < len(name) && name[:len(w)] == w {
				return w + ": a piece of the name of the __has_include wrapper " + name + ", which pasting (##) may complete"
			}
		}
	}
	return ""
}

// literalInDefine records the literal probe p of a macro's body, or of a
// macro's argument, which is made once its tokens are expanded: a quoted
// name in a body is searched from the expanding file's directory, which
// only preprocessing knows; an angled name is the spelling of its tokens
// after their expansion (ID(__has_include(<linux/x.h>)) probes 1/x.h in
// GNU C), which the caller checks (Directives.Expanded) when it is plain.
func (s *dirScan) literalInDefine(op string, p Probe) {
	name := []byte(p.Name)
	switch {
	case !p.Angle && !s.define:
		s.probe(p) // an argument's string is searched from its own file
	case !p.Angle:
		s.unknown(op + "(\"" + p.Name + "\") in a macro: the directory it is probed from is the expanding file's")
	case !plainHeaderName(name):
		s.unknown(op + "(<" + p.Name + ">) in a macro: only preprocessing can tell the name its tokens make")
	case paramInName(name, s.params) != "":
		s.unknown(op + "(<" + p.Name + ">) in a macro of the parameter " + paramInName(name, s.params))
	default:
		s.probe(p)
		for _, id := range nameIdents(name) {
			if !slices.Contains(s.d.Expanded, id) {
				s.d.Expanded = append(s.d.Expanded, id)
			}
		}
	}
}

// plainHeaderName reports whether a header name passed as a macro argument
// reaches __has_include as written (but for its macros): no blank (which
// the compiler would turn into one space), comment, quote, backslash or
// digraph, and no identifier the compiler treats specially.
func plainHeaderName(n []byte) bool {
	if bytes.Contains(n, []byte("//")) || bytes.Contains(n, []byte("/*")) || n[0] == ':' || n[0] == '%' {
		return false
	}
	for _, c := range n {
		if !(isIdent(c) || c == '.' || c == '/' || c == '-' || c == '+') || c >= 0x80 || c == '$' {
			return false
		}
	}
	for _, id := range nameIdents(n) {
		// Reserved names hold the builtins (__FILE__, __COUNTER__) that
		// no #define lists.
		if id[0] == '_' || id == "defined" || slices.Contains(cxxNamedOperators, id) {
			return false
		}
	}
	return true
}

// cxxNamedOperators are C++'s operator names ("and" for &&), tokens that
// are spelled as identifiers and are no macros.
var cxxNamedOperators = []string{"and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or", "or_eq", "xor", "xor_eq"}

// nameIdents returns the identifiers of a header name as the compiler
// lexes it: a pp-number (a digit, or '.' and a digit, then letters,
// digits, '.' and signs after e or p) is none.
func nameIdents(n []byte) []string {
	var ids []string
	for i := 0; i < len(n); {
		c := n[i]
		switch {
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(n) && n[i+1] >= '0' && n[i+1] <= '9':
			i = ppNumber(n, i, false)
		case isIdent(c):
			j := identEnd(n, i)
			ids = append(ids, string(n[i:j]))
			i = j
		default:
			i++
		}
	}
	return ids
}

// paren keeps calls: an opening parenthesis right after an identifier
// (prev) other than defined opens a macro's arguments, as far as the line
// tells; a closing one ends the last. One that closes no parenthesis of
// the line closes one a macro opened ("#define OPEN ID(", then "#if OPEN
// __has_include(<linux/x.h>))"): the angled names probed before it may
// be that macro's arguments.
func (s *dirScan) paren(c byte, prev []byte) {
	switch {
	case c == '(':
		s.calls = append(s.calls, prev != nil && string(prev) != "defined")
	case c == ')' && len(s.calls) > 0:
		s.calls = s.calls[:len(s.calls)-1]
	case c == ')' && s.angled && !s.define:
		s.unknown("__has_include(<...>) before a ')' that closes a macro's arguments")
	}
}

package depscan

import (
	"bytes"
	"slices"
)

// A probe wrapper is a function-like macro that hands its parameter to
// __has_include: fmt's "#define FMT_HAS_INCLUDE(x) __has_include(x)", Qt's
// QT_HAS_INCLUDE. Its definition names no header; each use does, in
// another file, maybe the file of another project. A compile that reads a
// wrapper is keyed by the probes of every use of it in every file it reads
// (see WrapperUses), found once the files are known, or runs locally.
//
// A use's argument is macro-expanded before __has_include sees it: in GNU
// modes FMT_HAS_INCLUDE(<linux/fs.h>) probes "1/fs.h", since linux is a
// predefined macro. A quoted name is a string literal and stays as it is;
// an angled name is probed as written only when none of its identifiers is
// a macro (the caller asks the scan, see Result.Defined).

// Wrapper is a function-like macro of one parameter that hands it to
// __has_include or __has_include_next.
type Wrapper struct {
	Macro string
	Next  bool // __has_include_next
}

// WrapperUse is the probe one use of a wrapper makes.
type WrapperUse struct {
	Probe
	// Idents are the identifiers of an angled name, which the compiler
	// expands first: the probe is Name only while none is a macro.
	Idents []string
	// InDefine says the use is in another macro's definition: it probes
	// wherever that macro is expanded, so a quoted name (searched from the
	// expanding file's directory) is Unknown instead.
	InDefine bool
}

// identEnd returns the end of the identifier at ln[i] (i when there is
// none).
func identEnd(ln []byte, i int) int {
	if i >= len(ln) || !isIdent(ln[i]) || ln[i] >= '0' && ln[i] <= '9' {
		return i
	}
	for i < len(ln) && isIdent(ln[i]) {
		i++
	}
	return i
}

// WrapperUses returns the probes that the uses of wrappers (by macro name)
// in src make, or what it cannot read as one. Every occurrence of a name
// counts, in code, comments and strings alike (an extra probe costs a
// stat), and must be one of: the name's definition, an #undef, #ifdef or
// #ifndef of it, an operand of "defined", or a call with one literal
// header name, "name" or <name> (no blank, comment or escape inside), and
// in another macro's body none of its parameters. Anything else (a call
// with a macro, a name passed to another macro) is returned as unknown, as
// is a word that pasting may complete into a wrapper's name (see
// pastePiece).
func WrapperUses(src []byte, wrappers map[string]Wrapper) (uses []WrapperUse, unknown string) {
	seen := map[string]bool{}
	for _, t := range readings(src) {
		for name, w := range wrappers {
			for at := wordIndex(t, name, 0); at >= 0; at = wordIndex(t, name, at+len(name)) {
				use, ok, what := wrapperUse(t, at, name, w)
				switch {
				case what != "":
					return nil, what
				case ok && !seen[useKey(use)]:
					seen[useKey(use)] = true
					uses = append(uses, use)
				}
			}
		}
		if piece := pastePiece(t, wrappers); piece != "" {
			return nil, piece
		}
	}
	slices.SortFunc(uses, func(a, b WrapperUse) int { return bytes.Compare([]byte(useKey(a)), []byte(useKey(b))) })
	return uses, ""
}

func useKey(u WrapperUse) string {
	k := u.Name
	if u.Angle {
		k = "<" + k + ">"
	}
	if u.Next {
		k += " next"
	}
	if u.InDefine {
		k += " define"
	}
	return k
}

// HasWord reports whether text holds word as an identifier of its own.
func HasWord(text []byte, word string) bool { return wordIndex(text, word, 0) >= 0 }

// wordIndex returns the offset of the first occurrence of word in text,
// from off on, that is an identifier of its own (not part of a longer
// one), or -1.
func wordIndex(text []byte, word string, off int) int {
	for {
		j := bytes.Index(text[off:], []byte(word))
		if j < 0 {
			return -1
		}
		at := off + j
		off = at + len(word)
		if (at == 0 || !isIdent(text[at-1])) && (off == len(text) || !isIdent(text[off])) {
			return at
		}
	}
}

// readings returns src as the preprocessor reads its lines, without a
// byte order mark, with and (where it has "??") without trigraphs: they
// are on in some modes only.
func readings(src []byte) [][]byte {
	text := bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	texts := [][]byte{normalizeLines(text)}
	if bytes.Contains(text, []byte("??")) {
		texts = append(texts, normalizeLines(replaceTrigraphs(text)))
	}
	return texts
}

// eachLine calls f with each line of t, a text of normalizeLines, until f
// returns false.
func eachLine(t []byte, f func(ln []byte) bool) {
	for len(t) > 0 {
		ln := t
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			ln, t = t[:i], t[i+1:]
		} else {
			t = nil
		}
		if !f(ln) {
			return
		}
	}
}

// normalizeLines ends every line with a lone '\n' (gcc also ends one at a
// lone '\r') and joins continued lines.
func normalizeLines(text []byte) []byte {
	if bytes.IndexByte(text, '\r') >= 0 {
		text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
		text = bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
	}
	return splice(text)
}

// wrapperUse reads the occurrence of a wrapper's name at t[at]: a probe
// (ok), nothing to key (neither), or what makes it unreadable.
func wrapperUse(t []byte, at int, name string, w Wrapper) (use WrapperUse, ok bool, unknown string) {
	start := bytes.LastIndexByte(t[:at], '\n') + 1
	end := bytes.IndexByte(t[at:], '\n')
	if end < 0 {
		end = len(t)
	} else {
		end += at
	}
	ln := t[start:end]
	pos := at - start
	dir, afterDir := directive(ln)
	before := bytes.TrimRight(ln[:pos], " \t\f\v")
	switch {
	case dir == "define" && skipBlanks(ln, afterDir) == pos,
		// its own definition, or another's
		(dir == "undef" || dir == "ifdef" || dir == "ifndef" || dir == "elifdef" || dir == "elifndef") && skipBlanks(ln, afterDir) == pos,
		definedOperand(before):
		return use, false, ""
	}
	if n, angle, _ := literalArgument(ln[pos+len(name):]); n != nil && plainHeaderName(n) {
		use = WrapperUse{Probe: Probe{Name: string(n), Angle: angle, Next: w.Next}, InDefine: dir == "define"}
		switch {
		case use.InDefine && !angle:
			return use, false, name + "(\"" + string(n) + "\") in a macro: the directory it is probed from is the expanding file's"
		case use.InDefine:
			_, params := defineParams(ln, afterDir)
			if p := paramInName(n, params); p != "" {
				return use, false, name + "(<" + string(n) + ">) in a macro of the parameter " + p + ": each expansion probes its argument"
			}
		}
		if angle {
			use.Idents = nameIdents(n)
		}
		return use, true, ""
	}
	show := bytes.TrimSpace(ln[pos:])
	if len(show) > 60 {
		show = show[:60]
	}
	return use, false, string(show) + ": a use of the __has_include wrapper " + name + " whose name only preprocessing can tell"
}

// definedOperand reports whether text before an identifier ends with the
// operator defined, as "defined" or "defined (".
func definedOperand(before []byte) bool {
	b := bytes.TrimSuffix(before, []byte("("))
	b = bytes.TrimRight(b, " \t\f\v")
	if !bytes.HasSuffix(b, []byte("defined")) {
		return false
	}
	b = b[:len(b)-len("defined")]
	return len(b) == 0 || !isIdent(b[len(b)-1])
}

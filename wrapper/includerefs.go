package wrapper

import (
	"bytes"
	"strings"

	"github.com/rexbuild/rex/depscan"
)

// What the once-copies check (see oncereach.go) needs of a file, kept by
// content digest in the directive cache: whether the file may be read once,
// apart (onceFlags, looked up for every file the compile read) from the
// include directives it holds (includeRefs, looked up only when a file of
// the compile may be read once).

// onceFlags says whether a file may be read once, or make another so.
type onceFlags struct {
	Once   bool // a line with "pragma" and "once"
	Import bool // a directive that is, or may be, #import
	// PragmaMacro and OnceToken: the file defines a macro that may expand
	// to a _Pragma, and holds "once" where a macro may take it in (see
	// depscan/oncetoken.go). With both among a compile's files, any file
	// may be marked once by a macro, its own bytes saying nothing.
	PragmaMacro, OnceToken bool
}

// includeRefs are a file's include directives.
type includeRefs struct {
	Refs []includeRef
	// Computed says a line may be an include directive whose name the
	// parse cannot read (#include MACRO, a directive after a comment).
	Computed bool
}

// includeRef is one #include, #include_next or #import.
type includeRef struct {
	Name  string
	Angle bool // <name> rather than "name"
	Next  bool // #include_next
}

// The cache's entries: the flags are "o" (once), "m" (import), "p" (a
// pragma macro) and "t" (a once token), or none; the directives are "c" (computed) or "-", then each directive
// as a NUL, its kind (q "name", a <name>, Q and A for #include_next) and
// its name. A name that holds a NUL, tab or newline is left out, as a
// computed include.

func (f onceFlags) encode() string {
	var s string
	if f.Once {
		s += "o"
	}
	if f.Import {
		s += "m"
	}
	if f.PragmaMacro {
		s += "p"
	}
	if f.OnceToken {
		s += "t"
	}
	return s
}

func decodeOnceFlags(s string) onceFlags {
	return onceFlags{Once: strings.Contains(s, "o"), Import: strings.Contains(s, "m"),
		PragmaMacro: strings.Contains(s, "p"), OnceToken: strings.Contains(s, "t")}
}

func (r includeRefs) encode() string {
	var b strings.Builder
	b.WriteString("-")
	for _, ref := range r.Refs {
		if strings.ContainsAny(ref.Name, "\x00\t\n") {
			r.Computed = true
			continue
		}
		kind := byte("qaQA"[boolBit(ref.Angle)+2*boolBit(ref.Next)])
		b.WriteByte(0)
		b.WriteByte(kind)
		b.WriteString(ref.Name)
	}
	s := b.String()
	if r.Computed {
		s = "c" + s[1:]
	}
	return s
}

func decodeIncludeRefs(s string) includeRefs {
	r := includeRefs{Computed: !strings.HasPrefix(s, "-")}
	if len(s) < 2 {
		return r
	}
	refs := strings.Split(s[2:], "\x00")
	r.Refs = make([]includeRef, 0, len(refs))
	for _, ref := range refs {
		if ref == "" {
			r.Computed = true // not an entry this code wrote
			continue
		}
		k := strings.IndexByte("qaQA", ref[0])
		if k < 0 {
			r.Computed = true
			continue
		}
		r.Refs = append(r.Refs, includeRef{Name: ref[1:], Angle: k&1 != 0, Next: k&2 != 0})
	}
	return r
}

func boolBit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// onceFlagsIn reads the flags from a file's content.
func onceFlagsIn(data []byte) onceFlags {
	f := onceFlags{Once: saysOnce(data), PragmaMacro: depscan.PragmaMacro(data), OnceToken: depscan.OnceToken(data)}
	// The word as the compiler reads it: "#im\<newline>port" is an #import.
	if bytes.Contains(depscan.Joined(data), []byte("import")) {
		refs := includeRefsIn(data)
		f.Import = refs.Computed || refs.imports
	}
	return f
}

// parsedRefs is includeRefs with whether a directive is an #import.
type parsedRefs struct {
	includeRefs
	imports bool
}

// includeRefsIn reads the include directives of a file's content. Lines
// are read as the preprocessor reads them (see directiveText), so a
// directive split by a backslash-newline is read whole; one inside a block
// comment is read too (a name too many costs a lookup, not soundness).
func includeRefsIn(data []byte) parsedRefs {
	var r parsedRefs
	text, ok := directiveText(data)
	if !ok {
		r.Computed = true
		r.imports = bytes.Contains(data, []byte("import"))
		return r
	}
	data = text
	eachDirectiveLine(data, func(line []byte) bool {
		ref, word, ok := includeRefLine(line)
		switch {
		case !ok:
			r.Computed = true
			r.imports = r.imports || bytes.Contains(line, []byte("import"))
		case word != "":
			r.Refs = append(r.Refs, ref)
			r.imports = r.imports || word == "import"
		}
		return true
	})
	return r
}

// directiveAfterComment reports whether a directive may follow, or go on
// after, a block comment that ends on line t: after its "*/", a '#' or
// "%:", or the keyword of a directive whose '#' came before the comment
// ("# /* c" on one line, "*/ include <x.h>" on the next). The rest of a
// comment's last line, " * so it is important to ... */", is neither.
func directiveAfterComment(t []byte) bool {
	i := bytes.Index(t, []byte("*/"))
	if i < 0 {
		return false
	}
	rest := t[i+2:]
	for _, s := range []string{"#", "%:", "include", "import"} {
		if bytes.Contains(rest, []byte(s)) {
			return true
		}
	}
	return false
}

// includeRefLine reads one line that mentions include or import: the
// directive it is (word is "" for none), or ok false when it cannot tell.
func includeRefLine(line []byte) (ref includeRef, word string, ok bool) {
	t := bytes.TrimLeft(line, " \t\f\v\r")
	switch {
	case bytes.HasPrefix(t, []byte("#")):
		t = t[1:]
	case bytes.HasPrefix(t, []byte("%:")):
		t = t[2:]
	case bytes.HasPrefix(t, []byte("??=")):
		return ref, "", false
	case bytes.HasPrefix(t, []byte("/*")):
		// A directive may follow a comment that ends on its line; a
		// comment that goes on hides what follows.
		end := bytes.Index(t[2:], []byte("*/"))
		if end < 0 {
			return ref, "", true
		}
		rest := bytes.TrimLeft(t[2+end+2:], directiveBlanks)
		return ref, "", !bytes.HasPrefix(rest, []byte("#")) && !bytes.HasPrefix(rest, []byte("%:")) && !bytes.HasPrefix(rest, []byte("/*"))
	default:
		// Code, a line comment, or the inside of a block comment; a
		// comment that ends here may have begun the line's directive.
		return ref, "", !directiveAfterComment(t)
	}
	t = bytes.TrimLeft(t, " \t\f\v\r")
	if bytes.HasPrefix(t, []byte("/*")) {
		return ref, "", false
	}
	w := t[:len(t)-len(bytes.TrimLeft(t, "abcdefghijklmnopqrstuvwxyz_"))]
	word = string(w)
	switch word {
	case "include", "include_next", "import":
	default:
		return ref, "", true
	}
	t = bytes.TrimLeft(t[len(w):], " \t\f\v\r")
	if len(t) == 0 || t[0] != '"' && t[0] != '<' {
		return ref, "", false
	}
	closing := byte('"')
	if t[0] == '<' {
		closing = '>'
	}
	end := bytes.IndexByte(t[1:], closing)
	if end <= 0 {
		return ref, "", false
	}
	return includeRef{Name: string(t[1 : 1+end]), Angle: closing == '>', Next: word == "include_next"}, word, true
}

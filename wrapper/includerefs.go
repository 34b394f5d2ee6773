package wrapper

import (
	"bytes"
)

// What the once-copies check (see oncereach.go) needs of a file, kept by
// content digest in the directive cache: whether the file may be read once,
// apart (onceFlags, looked up for every file the compile read) from the
// include directives it holds (includeRefs, looked up only when a file of
// the compile may be read once).

// onceFlags says whether a file may be read once, or make another so.
type onceFlags struct {
	Once   bool `json:"o,omitempty"` // a line with "pragma" and "once"
	Import bool `json:"m,omitempty"` // a directive that is, or may be, #import
}

// includeRefs are a file's include directives.
type includeRefs struct {
	Refs []includeRef `json:"r,omitempty"`
	// Computed says a line may be an include directive whose name the
	// parse cannot read (#include MACRO, a directive after a comment).
	Computed bool `json:"c,omitempty"`
}

// includeRef is one #include, #include_next or #import.
type includeRef struct {
	Name  string `json:"n"`
	Angle bool   `json:"a,omitempty"` // <name> rather than "name"
	Next  bool   `json:"x,omitempty"` // #include_next
}

// onceFlagsIn reads the flags from a file's content.
func onceFlagsIn(data []byte) onceFlags {
	f := onceFlags{Once: saysOnce(data)}
	if bytes.Contains(data, []byte("import")) {
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
// are spliced first, as the preprocessor does, so a directive split by a
// backslash-newline is read whole; one inside a block comment is read too
// (a name too many costs a lookup, not soundness).
func includeRefsIn(data []byte) parsedRefs {
	if bytes.Contains(data, []byte("\\\n")) || bytes.Contains(data, []byte("\\\r\n")) {
		data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\\\r\n"), nil), []byte("\\\n"), nil)
	}
	var r parsedRefs
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if !bytes.Contains(line, []byte("include")) && !bytes.Contains(line, []byte("import")) {
			continue
		}
		ref, word, ok := includeRefLine(line)
		switch {
		case !ok:
			r.Computed = true
			r.imports = r.imports || bytes.Contains(line, []byte("import"))
		case word != "":
			r.Refs = append(r.Refs, ref)
			r.imports = r.imports || word == "import"
		}
	}
	return r
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
		// A directive may follow a comment that ends on its line.
		return ref, "", !bytes.Contains(t, []byte("#"))
	default:
		// Code, a line comment, or the inside of a block comment.
		return ref, "", true
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

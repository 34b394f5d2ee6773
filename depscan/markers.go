package depscan

import (
	"bytes"
	"strconv"
)

// markers returns the files the line markers of preprocessed output enter
// (`# 12 "inc/h.h" 1`, maybe indented), as the preprocessor spelled them:
// every file the compile read, system headers included, each once. Only
// markers with flag 1 enter a file, so a #line directive in the source
// (which makes a marker without it) names nothing; "<built-in>" and
// "<command-line>" (clang: "<command line>") are not files, though a header
// may be named "<x>.h". Lines of any length are read to the end.
func markers(out []byte) []string {
	files, _ := readOutputFacts(out, sweepChunk)
	return files
}

// markerReader finds the markers of one output, a stretch at a time.
type markerReader struct {
	at    int // where the search goes on
	seen  map[string]bool
	files []string
}

// upTo reads the markers that start before hi.
func (m *markerReader) upTo(out []byte, hi int) {
	// "# " is rare in the output (3,300 times in the 157,000 lines of a
	// kernel TU): look for it rather than at each line.
	for {
		j := bytes.Index(out[m.at:min(hi+1, len(out))], []byte("# "))
		if j < 0 {
			m.at = max(m.at, hi)
			return
		}
		at := m.at + j
		m.at = at + 2
		if !atDirectiveStart(out, at) {
			continue
		}
		end := bytes.IndexByte(out[at:], '\n')
		if end < 0 {
			end = len(out)
		} else {
			end += at
		}
		// Most markers return to a file already entered: its name is
		// looked up without making a string of it.
		if name, ok := parseMarker(out[at:end]); ok && !m.seen[string(name)] {
			m.seen[string(name)] = true
			m.files = append(m.files, string(name))
		}
	}
}

// atDirectiveStart reports whether only what may stand before a directive
// on its line precedes out[at]: gcc's -fdirectives-only keeps it, also on
// the marker of a file a directive includes. That is blanks (a form feed
// or vertical tab too) and comments: "/* c */ # 1 "h.h" 1", or "*/ # 1
// "h.h" 1" on a comment's last line. A marker not at a line's start was
// taken for text, and its file left out of the scan. A line the mode passes
// on as text keeps its end: a marker may follow a lone carriage return
// (also one that a backslash splices), which gcc reads as a line's end.
func atDirectiveStart(out []byte, at int) bool {
	for at > 0 && isBlank(out[at-1]) {
		at--
	}
	return at == 0 || out[at-1] == '\n' || out[at-1] == '\r' || at >= 2 && out[at-2] == '*' && out[at-1] == '/'
}

// parseMarker reads `# LINE "NAME" FLAGS...` and returns NAME when the
// flags enter a file.
func parseMarker(line []byte) ([]byte, bool) {
	rest := bytes.TrimLeft(line[2:], "0123456789")
	if len(rest) == len(line)-2 || !bytes.HasPrefix(rest, []byte(` "`)) {
		return nil, false
	}
	name, flags, ok := plainQuoted(rest[2:])
	if !ok {
		var s string
		s, flags, ok = unquote(rest[2:])
		name = []byte(s)
	}
	if !ok || len(name) == 0 || notFile[string(name)] {
		return nil, false
	}
	for _, f := range bytes.Fields(flags) {
		if string(f) == "1" {
			return name, true
		}
	}
	return nil, false
}

// notFile are the names markers give what the compiler reads that is not
// a file: gcc enters none of them with flag 1, clang the first and last.
// A header of one of these names keeps its compile local (see
// ScanDirectives).
var notFile = map[string]bool{"<built-in>": true, "<command-line>": true, "<command line>": true}

// plainQuoted is unquote of a string body with no escape in it (nearly
// every file name), without copying it; ok is false for any other.
func plainQuoted(b []byte) (body, rest []byte, ok bool) {
	q := bytes.IndexByte(b, '"')
	if q < 0 || bytes.IndexByte(b[:q], '\\') >= 0 || bytes.IndexByte(b[:q], '\n') >= 0 {
		return nil, nil, false
	}
	return b[:q], b[q+1:], true
}

// unquote reads a C string body up to its closing quote, as gcc and clang
// escape file names in markers (\\, \", octal for other bytes), and
// returns it with what follows.
func unquote(b []byte) (string, []byte, bool) {
	var out []byte
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return string(out), b[i+1:], true
		case c == '\\' && i+1 < len(b):
			i++
			if n, width := octal(b[i:]); width > 0 {
				out = append(out, n)
				i += width - 1
			} else {
				out = append(out, b[i])
			}
		case c == '\n':
			return "", nil, false
		default:
			out = append(out, c)
		}
	}
	return "", nil, false
}

func octal(b []byte) (byte, int) {
	w := 0
	for w < 3 && w < len(b) && b[w] >= '0' && b[w] <= '7' {
		w++
	}
	if w == 0 {
		return 0, 0
	}
	n, _ := strconv.ParseUint(string(b[:w]), 8, 8)
	return byte(n), w
}

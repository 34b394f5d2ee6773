package depscan

import (
	"bytes"
	"slices"
	"strings"
)

// A ## (or its digraph %:%:) in a macro's body makes one word of two: a
// probe, a clock, a pragma's word or an assembler directive built so
// (`#define HAS(x) __has_##include(x)`) is beyond rex's reading of the
// text. A chain of pastes whose written pieces join into part of such a
// word keeps the compile local. Pieces that are parameters (CAT(a, b) a##b,
// used as CAT(__has_, include)) are beyond this check too: see the
// README's "What rex's reading of the text cannot see".

// pastedWords are the words rex's reading looks for.
var pastedWords = []string{"__has_include_next", "__has_embed", "__TIMESTAMP__", "__DATE__", "__TIME__",
	"_Pragma", "push_macro", "pop_macro", "once", "incbin", "include"}

// pastedWord returns the first chain of pastes in text ("__has_##include",
// "_ ## _ ## T ## I ## M ## E ## _ ## _") whose written pieces join into
// at least 4 bytes of one of pastedWords, or "". A paste makes one
// identifier: "printk##once" is not "once". Blanks and comments may stand
// between a piece and a ##.
func pastedWord(text []byte) string {
	for off := 0; ; {
		at, op := nextPaste(text, off)
		if at < 0 {
			return ""
		}
		// The chain: the piece before the first ##, then each piece
		// after one, while another ## follows.
		pieces := []string{wordBefore(text, at)}
		written := pieces[0]
		for at >= 0 {
			word, end := wordAfter(text, at+len(op))
			pieces = append(pieces, word)
			written += op + word
			next, nop := nextPaste(text, end)
			if next < 0 || !onlyBlanks(text[end:next]) {
				off = end
				break
			}
			at, op = next, nop
		}
		joined := strings.Join(pieces, "")
		if len(joined) < 4 || slices.Contains(pieces, "") && len(pieces) == 2 {
			continue
		}
		for _, w := range pastedWords {
			if strings.Contains(w, joined) {
				return written
			}
		}
	}
}

// nextPaste returns where the next ## or %:%: in text from off stands, and
// which; or -1.
func nextPaste(text []byte, off int) (int, string) {
	best, op := -1, ""
	for _, o := range []string{"##", "%:%:"} {
		if i := bytes.Index(text[off:], []byte(o)); i >= 0 && (best < 0 || off+i < best) {
			best, op = off+i, o
		}
	}
	return best, op
}

// onlyBlanks reports whether b holds only blanks and comments.
func onlyBlanks(b []byte) bool {
	return skipBlanks(b, 0) == len(b)
}

// wordBefore returns the identifier that ends, after blanks and comments,
// at text[at].
func wordBefore(text []byte, at int) string {
	end := at
	for end > 0 {
		switch {
		case isBlank(text[end-1]):
			end--
		case end >= 2 && text[end-1] == '/' && text[end-2] == '*':
			open := bytes.LastIndex(text[:end-2], []byte("/*"))
			if open < 0 {
				return ""
			}
			end = open
		default:
			start := end
			for start > 0 && isIdent(text[start-1]) {
				start--
			}
			return string(text[start:end])
		}
	}
	return ""
}

// wordAfter returns the identifier that starts, after blanks and comments,
// at text[at], and where it ends.
func wordAfter(text []byte, at int) (string, int) {
	at = skipBlanks(text, at)
	end := at
	for end < len(text) && isIdent(text[end]) {
		end++
	}
	return string(text[at:end]), end
}

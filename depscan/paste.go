package depscan

import "bytes"

// A ## (or its digraph %:%:) in a macro's body makes one word of two: a
// probe, a clock, a pragma's word or an assembler directive built so
// (`#define HAS(x) __has_##include(x)`) is beyond rex's reading of the
// text. A paste whose two written pieces join into part of such a word
// keeps the compile local. Pieces that are parameters (CAT(a, b) a##b,
// used as CAT(__has_, include)) are beyond this check too: see the
// README's "What rex's reading of the text cannot see".

// pastedWords are the words rex's reading looks for.
var pastedWords = []string{"__has_include_next", "__has_embed", "__TIMESTAMP__", "__DATE__", "__TIME__",
	"_Pragma", "push_macro", "pop_macro", "once", "incbin", "include"}

// pastedWord returns the first paste in text ("__has_##include") whose
// pieces join into at least 4 bytes of one of pastedWords, or "".
func pastedWord(text []byte) string {
	for _, op := range []string{"##", "%:%:"} {
		for off := 0; ; {
			i := bytes.Index(text[off:], []byte(op))
			if i < 0 {
				break
			}
			at := off + i
			off = at + len(op)
			left, right := wordBefore(text, at), wordAfter(text, off)
			joined := left + right
			if left == "" || right == "" || len(joined) < 4 {
				continue
			}
			for _, w := range pastedWords {
				if bytes.Contains([]byte(w), []byte(joined)) {
					return left + op + right
				}
			}
		}
	}
	return ""
}

// wordBefore returns the identifier that ends, after blanks, at text[at].
func wordBefore(text []byte, at int) string {
	end := at
	for end > 0 && isBlank(text[end-1]) {
		end--
	}
	start := end
	for start > 0 && isIdent(text[start-1]) {
		start--
	}
	return string(text[start:end])
}

// wordAfter returns the identifier that starts, after blanks, at text[at].
func wordAfter(text []byte, at int) string {
	for at < len(text) && isBlank(text[at]) {
		at++
	}
	end := at
	for end < len(text) && isIdent(text[end]) {
		end++
	}
	return string(text[at:end])
}

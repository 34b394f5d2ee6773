package depscan

import "bytes"

// joinedAsm returns the assembler directive (".incbin", ".include") that
// adjacent string literals spell only once the compiler joins them
// (`asm(".inc" "bin \"data.bin\"")`: the assembler reads one string), or
// "". Each place where a literal may end and another begin after blanks,
// newlines or continuations is looked at, with the text around it joined;
// a directive counts when it spans such a join. Quotes are not told apart
// (an opening one may be taken for a closing one), which costs at most a
// local compile.
func joinedAsm(text []byte) string {
	for off := 0; ; {
		i := bytes.IndexByte(text[off:], '"')
		if i < 0 {
			return ""
		}
		q := off + i
		off = q + 1
		next := afterBlanks(text, q+1)
		if next >= len(text) || text[next] != '"' {
			continue
		}
		// The longest directive is 8 bytes: 7 before the join and 7
		// after it are enough to hold any that spans it.
		const reach = len(".include") - 1
		left := text[max(0, q-reach):q]
		if k := bytes.LastIndexAny(left, "\"\n"); k >= 0 {
			left = left[k+1:]
		}
		window := append(append([]byte{}, left...), joinedAfter(text, next, reach)...)
		for at := 0; ; {
			k, word := asmDirective(window, at)
			if k < 0 {
				break
			}
			if k < len(left) && k+len(word) > len(left) {
				return word
			}
			at = k + 1
		}
	}
}

// afterBlanks returns the offset of the first byte at or after i that is
// not a blank, a newline or a continuation.
func afterBlanks(text []byte, i int) int {
	for i < len(text) {
		switch {
		case isBlank(text[i]) || text[i] == '\n' || text[i] == '\r':
			i++
		case text[i] == '\\' && spliceLen(text[i:]) > 0:
			i += spliceLen(text[i:])
		default:
			return i
		}
	}
	return i
}

// joinedAfter returns up to n bytes of the string literals that begin
// with the quote at text[open], joined as the compiler joins adjacent
// ones.
func joinedAfter(text []byte, open, n int) []byte {
	var out []byte
	for i := open + 1; i < len(text) && len(out) < n; i++ {
		if text[i] != '"' {
			out = append(out, text[i])
			continue
		}
		next := afterBlanks(text, i+1)
		if next >= len(text) || text[next] != '"' {
			break
		}
		i = next
	}
	return out
}

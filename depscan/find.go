package depscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
)

// indexMacroWord returns the offset of the first word in b, or -1: word is
// "pop_macro" or "push_macro". bytes.Index looks for the word's first
// byte, and in a kernel TU's 3 MB of -E that is a 'p' every 60 bytes:
// 50,000 calls, most of a millisecond per scan. This looks at sixteen
// offsets at a time for a 'p' with the word's 'm' as many bytes on, a pair
// 40 times rarer, and compares the word only there.
func indexMacroWord(b []byte, word string) int {
	m := strings.IndexByte(word, 'm')
	i := 0
	for ; i+16+m <= len(b); i += 16 {
		w := b[i : i+16+m]
		lo := pairs(binary.LittleEndian.Uint64(w[0:8]), binary.LittleEndian.Uint64(w[m:m+8]))
		hi := pairs(binary.LittleEndian.Uint64(w[8:16]), binary.LittleEndian.Uint64(w[8+m:16+m]))
		if lo|hi == 0 {
			continue
		}
		for k, bitsSet := range [2]uint64{lo, hi} {
			for ; bitsSet != 0; bitsSet &= bitsSet - 1 {
				at := i + 8*k + bits.TrailingZeros64(bitsSet)/8
				if at+len(word) <= len(b) && string(b[at:at+len(word)]) == word {
					return at
				}
			}
		}
	}
	if j := bytes.Index(b[i:], []byte(word)); j >= 0 {
		return i + j
	}
	return -1
}

// pairs sets the high bit of byte k where byte k of x is 'p' and byte k of
// y (the word's 'm' bytes on) is 'm': a byte of x^'p' or y^'m' is zero there. A
// borrow may set a byte just above one too, which the caller's comparison
// turns away; none is missed.
func pairs(x, y uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x ^= 'p' * ones
	y ^= 'm' * ones
	return (x - ones) &^ x & (y - ones) &^ y & highs
}

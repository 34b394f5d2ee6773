package manifest

import (
	"encoding/binary"
	"strings"

	"github.com/rexbuild/rex/filesum"
)

// MaxEntries bounds the entries of one record: a context compiled with a
// few header sets (a branch switched back and forth) keeps them all, and a
// lookup tries each newest first.
const MaxEntries = 8

// Lookup returns the newest entry of a record whose facts all hold. Each
// entry is decoded only when the newer ones did not hold.
func Lookup(data []byte) (found Entry, ok bool) {
	eachBlock(data, func(_, body string) bool {
		e, whole := decodeEntry(body)
		if whole && e.Holds() {
			found, ok = e, true
		}
		return whole && !ok
	})
	return found, ok
}

// Add returns the record data with e as its newest entry, dropping older
// entries for the same action and those past MaxEntries. The older
// entries are copied as they are; a damaged record is dropped whole.
func Add(data []byte, e Entry) []byte {
	body := encodeEntry(&e)
	var kept []string
	whole := eachBlock(data, func(block, body string) bool {
		r := reader{s: body}
		if action := r.string(); !r.bad && action != e.Action && len(kept) < MaxEntries-1 {
			kept = append(kept, block)
		}
		return !r.bad
	})
	if !whole {
		kept = nil
	}
	// One buffer for the whole record: a large compile's holds megabytes.
	n := len(header) + binary.MaxVarintLen64 + len(body) + filesum.Size
	for _, block := range kept {
		n += len(block) + binary.MaxVarintLen64
	}
	out := appendBlock(append(make([]byte, 0, n), header...), body)
	for _, block := range kept {
		out = binary.AppendUvarint(out, uint64(len(block)))
		out = append(out, block...)
	}
	return out
}

// The blocks of a record (see codec.go): each an entry's encoding and its
// checksum (package filesum), after its length.

// appendBlock appends an entry's encoding as a block: its length, the
// encoding, and the encoding's checksum.
func appendBlock(b, body []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(body)+filesum.Size))
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, filesum.Sum(body))
}

// eachBlock calls fn with each entry's block (as stored, to be copied)
// and encoding, newest first, until fn returns false; it reports whether
// the record was whole and every call returned true.
func eachBlock(data []byte, fn func(block, body string) bool) bool {
	text := string(data) // one copy: every decoded string is a part of it
	if !strings.HasPrefix(text, header) {
		return false
	}
	r := reader{s: text, i: len(header)}
	for r.i < len(r.s) {
		block := r.string()
		if r.bad || len(block) < filesum.Size {
			return false
		}
		// The sum is taken of data, the bytes text copies: no copy more.
		end := r.i - filesum.Size
		body := block[:len(block)-filesum.Size]
		sum := filesum.Sum(data[end-len(body) : end])
		if sum != binary.LittleEndian.Uint32(data[end:r.i]) || !fn(block, body) {
			return false
		}
	}
	return true
}

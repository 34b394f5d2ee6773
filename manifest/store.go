package manifest

import (
	"encoding/binary"
	"hash/crc32"
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
	n := len(header) + binary.MaxVarintLen64 + len(body) + crc32.Size
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

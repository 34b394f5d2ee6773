package manifest

import (
	"encoding/binary"
	"slices"
)

// MaxEntries bounds the entries of one record: a context compiled with a
// few header sets (a branch switched back and forth) keeps them all, and a
// lookup tries each newest first.
const MaxEntries = 8

// Lookup returns the newest entry of a record whose facts all hold. Each
// entry is decoded only when the newer ones did not hold.
func Lookup(data []byte) (found Entry, ok bool) {
	eachBlock(data, func(block string) bool {
		e, whole := decodeEntry(block)
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
	out := appendEntry([]byte(header), &e)
	var kept []string
	whole := eachBlock(data, func(block string) bool {
		r := reader{s: block}
		if action := r.string(); !r.bad && action != e.Action && len(kept) < MaxEntries-1 {
			kept = append(kept, block)
		}
		return !r.bad
	})
	if !whole {
		return out
	}
	n := 0
	for _, block := range kept {
		n += len(block) + binary.MaxVarintLen64
	}
	out = slices.Grow(out, n) // a large compile's record holds megabytes
	for _, block := range kept {
		out = binary.AppendUvarint(out, uint64(len(block)))
		out = append(out, block...)
	}
	return out
}

package manifest

// MaxEntries bounds the entries of one record: a context compiled with a
// few header sets (a branch switched back and forth) keeps them all, and a
// lookup tries each newest first.
const MaxEntries = 8

// Lookup returns the newest entry of a record whose facts all hold.
func Lookup(data []byte) (Entry, bool) {
	for _, e := range Decode(data) {
		if e.Holds() {
			return e, true
		}
	}
	return Entry{}, false
}

// Add returns the record data with e as its newest entry, dropping older
// entries for the same action and those past MaxEntries.
func Add(data []byte, e Entry) []byte {
	entries := []Entry{e}
	for _, old := range Decode(data) {
		if old.Action != e.Action && len(entries) < MaxEntries {
			entries = append(entries, old)
		}
	}
	return Encode(entries)
}

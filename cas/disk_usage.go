package cas

// Usage is what a disk store holds, for metrics and the status page.
type Usage struct {
	// Bytes and Entries count the stored blobs and action results.
	Bytes, Entries int64
	// Reserved is held by uploads in progress; Max is the bound (0: none).
	Reserved, Max int64
	// Evictions counts the entries evicted since the store was opened.
	Evictions int64
}

// Usage reports what the store holds now.
func (d *Disk) Usage() Usage {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return Usage{Bytes: s.idx.total, Entries: int64(len(s.idx.entries)), Reserved: s.reserved, Max: s.max,
		Evictions: s.evicted}
}

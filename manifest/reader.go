package manifest

// reader reads the varints and strings of a record. A read past the end
// or a malformed number sets bad, and every later read returns zero.
type reader struct {
	s   string
	i   int
	bad bool
}

func (r *reader) uvarint() uint64 {
	if r.bad {
		return 0
	}
	var v uint64
	for shift := uint(0); shift < 64 && r.i < len(r.s); shift += 7 {
		c := r.s[r.i]
		r.i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.bad = true
	return 0
}

func (r *reader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1) // binary.AppendVarint's zig-zag
}

// count reads a number of items, each of which takes at least one byte:
// a damaged count cannot make a huge allocation.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.i) {
		r.bad = true
		return 0
	}
	return int(n)
}

// string returns the next string, a part of the record (no copy).
func (r *reader) string() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.s)-r.i) {
		r.bad = true
		return ""
	}
	s := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}

func (r *reader) stamp() Stamp {
	return Stamp{Size: r.varint(), Mtime: r.varint(), Ctime: r.varint(), Dev: r.uvarint(), Ino: r.uvarint()}
}

// dirs reads the names and the directories. Each directory keeps its
// indexes undecoded: most hits find its stamp unchanged and never need
// them.
func (r *reader) dirs() []Dir {
	t := &nameTable{n: r.count(), from: r.i}
	for range t.n {
		r.string()
	}
	t.raw = r.s[t.from:r.i]
	dirs := makeOrNil[Dir](r.count())
	for i := range dirs {
		d := &dirs[i]
		d.Stamp = r.stamp()
		d.Path = r.string()
		l := &absentList{names: t, n: r.count(), from: r.i}
		for range l.n {
			if r.uvarint() >= uint64(t.n) {
				r.bad = true
			}
		}
		l.raw = r.s[l.from:r.i]
		d.absent = l
	}
	return dirs
}

// nameTable is the names of an entry's absent places, as recorded.
type nameTable struct {
	raw   string
	n     int
	from  int
	names []string
}

func (t *nameTable) all() []string {
	if t.names == nil {
		r := reader{s: t.raw}
		t.names = make([]string, t.n)
		for i := range t.names {
			t.names[i] = r.string()
		}
	}
	return t.names
}

// absentList is a directory's absent places as recorded: indexes into the
// entry's names.
type absentList struct {
	names *nameTable
	raw   string
	n     int
	from  int
}

func (l *absentList) paths() []string {
	names := l.names.all()
	r := reader{s: l.raw} // checked whole, each index in range, by dirs
	out := make([]string, l.n)
	for i := range out {
		out[i] = names[r.uvarint()]
	}
	return out
}

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

// dirs reads the lists, the names and the directories. Each directory
// keeps its absent places undecoded: most hits find its stamp unchanged
// and never need them.
func (r *reader) dirs() []Dir {
	lists := &listTable{s: r.s}
	n := r.count()
	lists.at, lists.shortest, lists.lists = make([]int, n), make([]int, n), make([][]string, n)
	for i := range n {
		lists.at[i] = r.i
		lists.shortest[i] = r.strings().shortest
	}
	names := new(nameTable)
	*names = r.strings()
	dirs := makeOrNil[Dir](r.count())
	for i := range dirs {
		d := &dirs[i]
		d.Stamp = r.stamp()
		d.Path = r.string()
		l := &d.absent
		l.names, l.lists, l.from = names, lists, r.i
		for range r.count() {
			if r.uvarint() >= uint64(names.n) {
				r.bad = true
			}
		}
		for range r.count() {
			list, cut := r.uvarint(), r.uvarint()
			if list >= uint64(len(lists.at)) || cut > uint64(lists.shortest[list]) {
				r.bad = true
			}
		}
		l.raw = r.s[l.from:r.i]
	}
	return dirs
}

// strings skips a list of strings, keeping it undecoded.
func (r *reader) strings() nameTable {
	t := nameTable{n: r.count(), from: r.i, shortest: -1}
	for range t.n {
		s := r.string()
		if t.shortest < 0 || len(s) < t.shortest {
			t.shortest = len(s)
		}
	}
	t.raw = r.s[t.from:r.i]
	return t
}

// nameTable is a list of names as recorded.
type nameTable struct {
	raw      string
	n        int
	from     int
	shortest int // the length of the shortest name; -1 for none
	names    []string
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

// listTable is the lists an entry's runs refer to, as recorded: each is
// decoded when a run that refers to it is.
type listTable struct {
	s        string
	at       []int // where each list starts in s
	shortest []int
	lists    [][]string
}

func (t *listTable) get(i uint64) []string {
	if t.lists[i] == nil {
		r := reader{s: t.s, i: t.at[i]}
		l := r.strings()
		t.lists[i] = l.all()
	}
	return t.lists[i]
}

// absentList is a directory's absent places as recorded: indexes into the
// entry's names, and runs.
type absentList struct {
	names *nameTable
	lists *listTable
	raw   string
	from  int
}

// decode returns the absent places and runs (checked whole and in range
// by dirs). A run of an empty list states nothing and is left out.
func (l *absentList) decode() (absent []string, runs []absentRun) {
	r := reader{s: l.raw}
	if n := r.count(); n > 0 {
		names := l.names.all()
		absent = make([]string, n)
		for i := range absent {
			absent[i] = names[r.uvarint()]
		}
	}
	for range r.count() {
		list, cut := r.uvarint(), r.uvarint()
		if names := l.lists.get(list); len(names) > 0 {
			runs = append(runs, absentRun{names: names, cut: int(cut)})
		}
	}
	return absent, runs
}

// paths spells out the absent places: the names, then each run's names
// cut, read from the record as they are appended (a hit whose directory
// changed needs them all at once).
func (l *absentList) paths() []string {
	r := reader{s: l.raw}
	explicit := r.count()
	runsAt := r.i
	for range explicit {
		r.uvarint()
	}
	total := explicit
	runs := r.count()
	after := r.i
	for range runs {
		list := reader{s: l.lists.s, i: l.lists.at[r.uvarint()]}
		total += list.count()
		r.uvarint()
	}
	out := make([]string, 0, total)
	if explicit > 0 {
		names := l.names.all()
		r.i = runsAt
		for range explicit {
			out = append(out, names[r.uvarint()])
		}
	}
	r.i = after
	for range runs {
		list := reader{s: l.lists.s, i: l.lists.at[r.uvarint()]}
		cut := int(r.uvarint())
		for range list.count() {
			out = append(out, list.string()[cut:])
		}
	}
	return out
}

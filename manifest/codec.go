package manifest

import (
	"encoding/binary"

	"github.com/rexbuild/rex/digest"
)

// A record file is a header and entries, newest first, each a
// uvarint-length block, so that adding an entry copies the older ones
// without decoding them. A block is the entry and a CRC-32 of it: a
// damaged entry still decodes more often than not (a changed byte of an
// absent place's name states another place absent), and would serve a
// compile whose header appeared there. An entry whose CRC does not match
// ends the record. An entry is, in varints and length-prefixed strings:
//
//	action, replay
//	files:   count, then STAMP FUNCTION HASH SIZE PATH each
//	present: count, then KIND PATH each
//	lists:   count, then each a count and names (see absentRun)
//	names:   count, then each relative path some directory lacks
//	dirs:    count, then STAMP PATH, a count and indexes into names,
//	         a count and runs (LIST CUT) each
//
// where STAMP is size, mtime, ctime, dev, ino. The absent places are most
// of a record: a kernel compile states ~87,000 (every name it looked up
// in every directory it could search), over a few thousand names.
// A record of another version reads as no entries: a scan. (Versions 4
// to 7 were made by scans that could miss a directive spelled after a
// null character or with "%:" in a group an #if skips, or after a quote
// a line left open or a raw string literal where the compile reads none:
// see depscan/hidden.go. Version 8 was made where a literal probe in a
// macro's body or argument was keyed as written, though the compile
// probes it after the macros of its name are expanded: see
// depscan/wrappers.go. Version 9 read the body of a macro whose
// parameter list had a blank before its ')' as parameters, and so missed a
// piece of a probe wrapper's name pasted there. Version 10 was made where
// the scan listed no macros (clang's, a plain -E) by a guess from the
// files, the arguments and a fixed list of predefined words, which missed
// a target's own (WIN32 for mingw): see depscan/macros.go. Version 11
// ended each block in a CRC-32C, whose tables cost every rex process a
// quarter of a millisecond to build: see package filesum. Version 12 was
// made by scans that read a _Pragma("pop_ma\<newline>cro(...)"), which
// the compile carries out, as text: see depscan/fallback.go. Version 13
// was made by scans that missed what gcc reads of a continuation ended by
// a lone CR, of a C90 source's "//", of a directive that goes on past a
// comment's line end, of a split comment delimiter, and of an indented
// #define: see depscan/splice.go, spanning.go, hidden.go and macros.go.
// Version 14 recorded compiles whose files use __DATE__ or __TIME__
// without SOURCE_DATE_EPOCH, whose hits replay an old date (see
// wrapper/probes.go), left out headers whose names begin with '<' (see
// depscan/markers.go) and missed an .incbin spelt by adjacent string
// literals (see depscan/joinedasm.go) and what a lone CR or a "??/" that
// the compile reads otherwise hid from rex's reading (see
// depscan/directives.go), by a long character literal, or by a "//" in a
// literal before a comment over lines (see depscan/lexlit.go and
// spanning.go), by a ## that pastes a word rex reads (see depscan/paste.go)
// or by a "#pragma" line that a comment or a string goes on (see
// depscan/fallback.go).)
const header = "rex manifest 15\n"

// Encode writes entries in the record format.
func Encode(entries []Entry) []byte {
	b := []byte(header)
	for i := range entries {
		b = appendEntry(b, &entries[i])
	}
	return b
}

// appendEntry appends e as one length-prefixed block.
func appendEntry(b []byte, e *Entry) []byte {
	return appendBlock(b, encodeEntry(e))
}

// encodeEntry is the block of e, in a buffer sized from its facts: a
// kernel compile's is some 200 KB, which growing by doubling would copy
// (and fault in) several times over.
func encodeEntry(e *Entry) []byte {
	n := 1024 + len(e.Action) + len(e.Replay)
	for i := range e.Files {
		n += 64 + len(e.Files[i].Path) + len(e.Files[i].Hash.Hash)
	}
	for i := range e.Present {
		n += 4 + len(e.Present[i].Path)
	}
	for i := range e.Dirs {
		n += 64 + len(e.Dirs[i].Path) + 3*len(e.Dirs[i].Absent) + 8*len(e.Dirs[i].below)
	}
	body := make([]byte, 0, n)
	body = appendString(body, e.Action)
	body = appendString(body, string(e.Replay))
	body = binary.AppendUvarint(body, uint64(len(e.Files)))
	for _, f := range e.Files {
		body = appendStamp(body, f.Stamp)
		body = binary.AppendUvarint(body, uint64(f.Function.Code()))
		body = appendString(body, f.Hash.Hash)
		body = binary.AppendVarint(body, f.Hash.Size)
		body = appendString(body, f.Path)
	}
	body = binary.AppendUvarint(body, uint64(len(e.Present)))
	for _, p := range e.Present {
		body = binary.AppendUvarint(body, uint64(p.Kind))
		body = appendString(body, p.Path)
	}
	return appendDirs(body, e.Dirs)
}

// appendDirs writes the lists the runs refer to and the names the
// directories lack once, and each directory's absent places as indexes
// into them.
func appendDirs(b []byte, dirs []Dir) []byte {
	var lists [][]string
	listIndex := map[*string]uint64{}
	for i := range dirs {
		dirs[i].undecoded()
	}
	hint, total := internHint(dirs)
	names := interner{index: make(map[string]uint64, hint)}
	// Each absent place's index, in the order they are written: a kernel
	// compile's record holds some 87,000, and looking each up again cost
	// as much as interning it.
	indexes := make([]uint64, 0, total)
	for i := range dirs {
		for _, r := range dirs[i].below {
			if _, ok := listIndex[&r.names[0]]; !ok {
				listIndex[&r.names[0]] = uint64(len(lists))
				lists = append(lists, r.names)
			}
		}
		for _, rel := range dirs[i].Absent {
			indexes = append(indexes, names.add(rel))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(lists)))
	for _, l := range lists {
		b = appendStrings(b, l)
	}
	b = appendStrings(b, names.list)
	b = binary.AppendUvarint(b, uint64(len(dirs)))
	for _, d := range dirs {
		b = appendStamp(b, d.Stamp)
		b = appendString(b, d.Path)
		b = binary.AppendUvarint(b, uint64(len(d.Absent)))
		for _, index := range indexes[:len(d.Absent)] {
			b = binary.AppendUvarint(b, index)
		}
		indexes = indexes[len(d.Absent):]
		b = binary.AppendUvarint(b, uint64(len(d.below)))
		for _, r := range d.below {
			b = binary.AppendUvarint(b, listIndex[&r.names[0]])
			b = binary.AppendUvarint(b, uint64(r.cut))
		}
	}
	return b
}

// internHint guesses how many distinct absent places dirs hold, so that
// the interner's map is made once: most directories lack the same names
// (a kernel compile's ~87,000 absent places are a few thousand names), and
// growing the map step by step cost a third of the encoding. Twice the
// longest list, within the total, which it returns too.
func internHint(dirs []Dir) (hint, total int) {
	longest := 0
	for i := range dirs {
		longest = max(longest, len(dirs[i].Absent))
		total += len(dirs[i].Absent)
	}
	return min(2*longest, total), total
}

// interner numbers strings in the order first seen.
type interner struct {
	index map[string]uint64
	list  []string
}

// add returns s's number, numbering it when it is new.
func (in *interner) add(s string) uint64 {
	if n, ok := in.index[s]; ok {
		return n
	}
	n := uint64(len(in.list))
	in.index[s] = n
	in.list = append(in.list, s)
	return n
}

func appendStrings(b []byte, list []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendString(b, s)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStamp(b []byte, s Stamp) []byte {
	b = binary.AppendVarint(b, s.Size)
	b = binary.AppendVarint(b, s.Mtime)
	b = binary.AppendVarint(b, s.Ctime)
	b = binary.AppendUvarint(b, s.Dev)
	return binary.AppendUvarint(b, s.Ino)
}

// Decode reads a record file. A damaged one reads as no entries: it costs
// only a scan.
func Decode(data []byte) []Entry {
	var entries []Entry
	ok := eachBlock(data, func(_, body string) bool {
		e, ok := decodeEntry(body)
		entries = append(entries, e)
		return ok
	})
	if !ok {
		return nil
	}
	return entries
}

func decodeEntry(block string) (Entry, bool) {
	r := reader{s: block}
	var e Entry
	e.Action = r.string()
	e.Replay = []byte(r.string())
	e.Files = makeOrNil[File](r.count())
	for i := range e.Files {
		f := &e.Files[i]
		f.Stamp = r.stamp()
		f.Function, _ = digest.FunctionFromCode(int32(r.uvarint()))
		f.Hash.Hash = r.string()
		f.Hash.Size = r.varint()
		f.Path = r.string()
	}
	e.Present = makeOrNil[Present](r.count())
	for i := range e.Present {
		e.Present[i].Kind = Kind(r.uvarint())
		e.Present[i].Path = r.string()
	}
	e.Dirs = r.dirs()
	if r.bad || r.i != len(r.s) {
		return Entry{}, false
	}
	return e, true
}

// makeOrNil makes n items, nil for none (as Gather leaves a list it did
// not fill).
func makeOrNil[T any](n int) []T {
	if n == 0 {
		return nil
	}
	return make([]T, n)
}

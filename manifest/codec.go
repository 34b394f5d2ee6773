package manifest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/rexbuild/rex/digest"
)

// A record file holds entries, newest first, as lines:
//
//	entry ACTION REPLAY(base64)
//	f SIZE MTIME CTIME DEV INO HASH/SIZE PATH
//	p SIZE MTIME CTIME DEV INO PATH
//	d SIZE MTIME CTIME DEV INO PATH<TAB>ABSENT<TAB>ABSENT...
//
// Paths hold no tab or newline (Gather refuses them).
const header = "rex manifest 1\n"

// Encode writes entries in the record format.
func Encode(entries []Entry) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	for _, e := range entries {
		fmt.Fprintf(&b, "entry %s %s\n", e.Action, base64.StdEncoding.EncodeToString(e.Replay))
		for _, f := range e.Files {
			fmt.Fprintf(&b, "f %s %s %s\n", stampText(f.Stamp), f.Hash, f.Path)
		}
		for _, p := range e.Present {
			fmt.Fprintf(&b, "p %s %s\n", stampText(p.Stamp), p.Path)
		}
		for _, d := range e.Dirs {
			fmt.Fprintf(&b, "d %s %s\t%s\n", stampText(d.Stamp), d.Path, strings.Join(d.absentPaths(), "\t"))
		}
	}
	return b.Bytes()
}

func stampText(s Stamp) string {
	return fmt.Sprintf("%d %d %d %d %d", s.Size, s.Mtime, s.Ctime, s.Dev, s.Ino)
}

// Decode reads a record file. A damaged one reads as no entries: it costs
// only a scan.
func Decode(data []byte) []Entry {
	text := string(data)
	if !strings.HasPrefix(text, header) {
		return nil
	}
	var entries []Entry
	var e *Entry
	for _, line := range strings.Split(text[len(header):], "\n") {
		if line == "" {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		if kind == "entry" {
			entries = append(entries, Entry{})
			e = &entries[len(entries)-1]
			if !e.decodeHead(rest) {
				return nil
			}
			continue
		}
		if e == nil || !e.decodeFact(kind, rest) {
			return nil
		}
	}
	return entries
}

func (e *Entry) decodeHead(rest string) bool {
	action, replay, ok := strings.Cut(rest, " ")
	if !ok {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(replay)
	e.Action, e.Replay = action, b
	return err == nil
}

func (e *Entry) decodeFact(kind, rest string) bool {
	st, rest, ok := parseStamp(rest)
	if !ok {
		return false
	}
	switch kind {
	case "f":
		hash, path, ok := strings.Cut(rest, " ")
		d, err := digest.Parse(hash)
		if !ok || err != nil {
			return false
		}
		e.Files = append(e.Files, File{Path: path, Stamp: st, Hash: d})
	case "p":
		e.Present = append(e.Present, Present{Path: rest, Stamp: st})
	case "d":
		path, absent, _ := strings.Cut(rest, "\t")
		e.Dirs = append(e.Dirs, Dir{Path: path, Stamp: st, absent: absent})
	default:
		return false
	}
	return true
}

// parseStamp reads the five numbers of a stamp off the front of s.
func parseStamp(s string) (Stamp, string, bool) {
	var n [5]int64
	for i := range n {
		field, rest, ok := strings.Cut(s, " ")
		v, err := strconv.ParseInt(field, 10, 64)
		if !ok || err != nil {
			return Stamp{}, "", false
		}
		n[i], s = v, rest
	}
	return Stamp{Size: n[0], Mtime: n[1], Ctime: n[2], Dev: uint64(n[3]), Ino: uint64(n[4])}, s, true
}

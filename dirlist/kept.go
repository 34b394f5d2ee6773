package dirlist

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/filesum"
	"github.com/rexbuild/rex/trim"
)

// A build's compiles read the same directories over and over (every kernel
// compile reads include/linux, 1,466 names), and reading a large
// directory costs more than reading a file that lists it. So a trusted
// read (see Read) is kept in a file named by the directory's device and
// inode, holding the directory's clean path, the stat data it was read
// under and the names; a later
// compile uses it only while the directory's stat data are the same, as a
// direct-mode record trusts a directory's stamp. A directory that changes
// is read afresh and its file rewritten.
//
// A kept file ends in a checksum of all before it (package filesum). A file cut short after
// one of its names, or with a name's byte changed, still parses, yet it
// lacks a name the directory holds: the .gch checks would miss a
// precompiled header the compiler reads. Such a file reads as none.

// keptHeader starts every kept file; another version reads as none.
const keptHeader = "rex dirlist 4\n"

// Open returns an empty cache that keeps its trusted reads under dir (for
// the client, a directory of its state directory), and uses those kept
// by earlier compiles.
func Open(dir string) *Cache {
	c := New()
	c.kept = dir
	return c
}

func (c *Cache) keptPath(k dirKey) string {
	return filepath.Join(c.kept, fmt.Sprintf("%x-%x", k.st.Dev, k.st.Ino))
}

// load returns the names kept for the directory k names, when they were
// read at the same path under exactly the same stat data.
func (c *Cache) load(k dirKey) (*Names, bool) {
	data, err := os.ReadFile(c.keptPath(k))
	if err != nil || len(data) < filesum.Size {
		return nil, false
	}
	body := data[:len(data)-filesum.Size]
	if filesum.Sum(body) != binary.LittleEndian.Uint32(data[len(body):]) {
		return nil, false
	}
	s := string(body)
	prefix := string(appendKey([]byte(keptHeader), k))
	if !strings.HasPrefix(s, prefix) {
		return nil, false
	}
	s = s[len(prefix):]
	set := make(map[string]struct{}, strings.Count(s, "\x00"))
	for s != "" {
		i := strings.IndexByte(s, 0)
		if i <= 0 {
			return nil, false // a damaged file: an empty or unterminated name
		}
		set[s[:i]] = struct{}{}
		s = s[i+1:]
	}
	return newNames(set), true
}

// keep writes names, read as k says, for later compiles. Failing costs
// only a read.
func (c *Cache) keep(k dirKey, names *Names) {
	n := len(keptHeader) + 6*binary.MaxVarintLen64 + len(k.path) + filesum.Size
	for name := range names.set {
		n += len(name) + 1
	}
	b := appendKey(append(make([]byte, 0, n), keptHeader...), k)
	for name := range names.set {
		b = append(append(b, name...), 0)
	}
	b = binary.LittleEndian.AppendUint32(b, filesum.Sum(b))
	if os.MkdirAll(c.kept, 0o755) == nil {
		atomicfile.Write(c.keptPath(k), b, 0o600)
		trim.Sometimes(c.kept, maxKeptBytes, trimEvery)
	}
}

// maxKeptBytes bounds the kept reads: one file per directory ever read,
// from every tree the user builds. The reads written longest ago go first
// (package trim), checked on one write in trimEvery.
const (
	maxKeptBytes = 64 << 20
	trimEvery    = 64
)

// appendKey writes k: its path, length first, then its stat data.
func appendKey(b []byte, k dirKey) []byte {
	b = binary.AppendUvarint(b, uint64(len(k.path)))
	return appendStat(append(b, k.path...), k.st)
}

func appendStat(b []byte, st Stat) []byte {
	b = binary.AppendVarint(b, st.Size)
	b = binary.AppendVarint(b, st.Mtime)
	b = binary.AppendVarint(b, st.Ctime)
	b = binary.AppendUvarint(b, st.Dev)
	return binary.AppendUvarint(b, st.Ino)
}

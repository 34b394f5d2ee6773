package manifest

import (
	"errors"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Gather builds the facts of an entry. reads are the files the compile read,
// each with the stamp taken before the key hashed it and the BLAKE3 digest
// of the content the key covers; places are where the compiler may have
// looked for a file without reading it there. since is when the compile's
// planning began: anything changed after it (less a tick's margin) may have
// changed again unseen, so its stamp is not trusted. ok is false when the
// facts cannot be recorded soundly (a place that appeared during the
// compile, a path the record cannot hold); the caller then records nothing,
// and the next compile scans again.
func Gather(since time.Time, reads []File, places []string) (e Entry, ok bool) {
	read := make(map[string]bool, len(reads))
	for _, f := range reads {
		if !recordable(f.Path) {
			return Entry{}, false
		}
		if f.Stamp.racy(since) {
			f.Stamp = Stamp{}
		}
		read[f.Path] = true
		e.Files = append(e.Files, f)
	}
	byParent := map[string][]string{}
	for _, p := range places {
		if read[p] {
			continue
		}
		if !recordable(p) {
			return Entry{}, false
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return Entry{}, false
		}
		byParent[parentOf(p, i)] = append(byParent[parentOf(p, i)], p[i+1:])
	}
	dirs := map[string]*Dir{}
	stats := statCache{}
	parents := make([]string, 0, len(byParent))
	for parent := range byParent {
		parents = append(parents, parent)
	}
	sort.Strings(parents)
	for _, parent := range parents {
		if !gatherParent(since, parent, byParent[parent], dirs, stats, &e) {
			return Entry{}, false
		}
	}
	for _, parent := range sortedKeys(dirs) {
		e.Dirs = append(e.Dirs, *dirs[parent])
	}
	return e, true
}

// gatherParent records the places parent/name: under parent when it
// exists (each name absent, or present with its stamp), else all absent
// under the deepest ancestor that exists, whose entries must not change.
func gatherParent(since time.Time, parent string, names []string, dirs map[string]*Dir, stats statCache, e *Entry) bool {
	anc, st := parent, Stamp{}
	for {
		if s, ok := stats.stamp(anc); ok {
			st = s
			break
		}
		i := strings.LastIndexByte(anc, '/')
		if i < 0 || anc == "/" {
			return false
		}
		anc = parentOf(anc, i)
	}
	d := dirs[anc]
	if d == nil {
		d = &Dir{Path: anc, Stamp: st}
		if st.racy(since) {
			d.Stamp = Stamp{}
		}
		dirs[anc] = d
	}
	if anc != parent {
		rel := strings.TrimPrefix(parent[len(anc):], "/")
		for _, n := range names {
			d.Absent = append(d.Absent, rel+"/"+n)
		}
		return true
	}
	listed := listing(parent, len(names))
	for _, n := range names {
		path := join(parent, n)
		if listed != nil && !listed[n] {
			d.Absent = append(d.Absent, n)
			continue
		}
		ls, err := lstampOf(path)
		switch {
		case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			d.Absent = append(d.Absent, n)
		case err != nil || ls.racy(since):
			return false
		default:
			e.Present = append(e.Present, Present{Path: path, Stamp: ls})
		}
	}
	return true
}

// statCache remembers what stat said of each directory during one Gather:
// the places of one compile share most of their ancestors.
type statCache map[string]*Stamp

func (c statCache) stamp(path string) (Stamp, bool) {
	if s, ok := c[path]; ok {
		if s == nil {
			return Stamp{}, false
		}
		return *s, true
	}
	s, err := StampOf(path)
	if err != nil {
		c[path] = nil
		return Stamp{}, false
	}
	c[path] = &s
	return s, true
}

// parentOf is the lexical parent of p, whose last slash is at i.
func parentOf(p string, i int) string {
	if i == 0 {
		return "/"
	}
	return p[:i]
}

func join(dir, rel string) string {
	if dir == "/" {
		return "/" + rel
	}
	return dir + "/" + rel
}

// listing returns the names in dir when many names are to be looked up in
// it (one read of the directory costs less than many lstats), else nil.
func listing(dir string, lookups int) map[string]bool {
	if lookups < 16 {
		return nil
	}
	names, _ := entries(dir)
	return names
}

// recordable reports whether the record's line format can hold path.
func recordable(path string) bool {
	return path != "" && !strings.ContainsAny(path, "\t\n")
}

func sortedKeys(m map[string]*Dir) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

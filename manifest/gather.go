package manifest

import (
	"errors"
	"os"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/rexbuild/rex/dirlist"
)

// Gather builds the facts of an entry. reads are the files the compile read,
// each with the stamp taken before the key hashed it and the digest of the
// content the key covers; places are where the compiler may have looked
// for a file without reading it there. since is when the compile's
// planning began: anything changed after it (less a tick's margin) may have
// changed again unseen, so its stamp is not trusted. ok is false when the
// facts cannot be recorded soundly (a place that appeared during the
// compile, a path the record cannot hold); the caller then records nothing,
// and the next compile scans again. lists holds the directories the
// compile read before (nil for none): one still unchanged is not read
// again.
func Gather(since time.Time, reads []File, places Places, lists *dirlist.Cache) (e Entry, ok bool) {
	read := make(map[string]map[string]bool, len(reads))
	e.Files = make([]File, 0, len(reads))
	for _, f := range reads {
		i := strings.LastIndexByte(f.Path, '/')
		if !recordable(f.Path) || i < 0 {
			return Entry{}, false
		}
		if f.Stamp.Racy(since) {
			f.Stamp = Stamp{}
		}
		parent := parentOf(f.Path, i)
		if read[parent] == nil {
			read[parent] = map[string]bool{}
		}
		read[parent][f.Path[i+1:]] = true
		e.Files = append(e.Files, f)
	}
	read = byDotless(read)
	byParent, ok := groupPlaces(places)
	if !ok {
		return Entry{}, false
	}
	parents := make([]string, 0, len(byParent))
	for parent := range byParent {
		parents = append(parents, parent)
	}
	sort.Strings(parents)
	g := gathering{since: since, dirs: map[string]*Dir{}, stats: newStatCache(lists, 2*len(parents)), e: &e}
	var clean []byte
	for _, parent := range parents {
		clean = appendWithoutDots(clean[:0], parent)
		if !g.parent(parent, byParent[parent], read[string(clean)]) {
			return Entry{}, false
		}
	}
	for _, parent := range sortedKeys(g.dirs) {
		e.Dirs = append(e.Dirs, *g.dirs[parent])
	}
	return e, true
}

// gathering is the state of one Gather.
type gathering struct {
	since time.Time
	dirs  map[string]*Dir
	stats *statCache
	e     *Entry
}

// parent records the places in parent: under parent when it exists (each
// name absent, or present with its stamp), else all absent under the
// deepest ancestor that exists, whose entries must not change. read are
// the names in parent the compile read.
func (g *gathering) parent(parent string, ls []lookups, read map[string]bool) bool {
	anc, st := parent, Stamp{}
	for {
		if s, ok := g.stats.stamp(anc); ok {
			st = s
			break
		}
		i := strings.LastIndexByte(anc, '/')
		if i < 0 || anc == "/" {
			return false
		}
		anc = parentOf(anc, i)
	}
	d := g.dirs[anc]
	if d == nil {
		d = &Dir{Path: anc, Stamp: st}
		if st.Racy(g.since) {
			d.Stamp = Stamp{}
		}
		g.dirs[anc] = d
	}
	if anc != parent {
		for _, l := range ls {
			g.absentBelow(d, l, read)
		}
		return true
	}
	return g.existing(d, ls, read)
}

// absentBelow records l's places as absent under d, an ancestor of their
// missing parent. Their paths relative to d are the names cut at one
// offset, a run that refers to the names, unless d lies above l.dir (a
// search directory that is missing).
func (g *gathering) absentBelow(d *Dir, l lookups, read map[string]bool) {
	if len(l.names) == 0 {
		return
	}
	if len(read) == 0 && len(d.Path) >= len(l.dir) && l.dir != "/" && d.Path != "/" {
		d.below = append(d.below, absentRun{names: l.names, cut: len(d.Path) - len(l.dir)})
		return
	}
	for _, n := range l.names {
		if !read[n[strings.LastIndexByte(n, '/')+1:]] {
			d.Absent = append(d.Absent, strings.TrimPrefix(join(l.dir, n)[len(d.Path):], "/"))
		}
	}
}

// existing records the places in d, an existing directory: each absent,
// or present with its kind.
func (g *gathering) existing(d *Dir, ls []lookups, read map[string]bool) bool {
	listed := g.stats.listing(d.Path, ls)
	d.Absent = slices.Grow(d.Absent, lookupCount(ls)) // most are absent
	for _, l := range ls {
		for _, n := range l.names {
			base := n[strings.LastIndexByte(n, '/')+1:]
			if read[base] {
				continue
			}
			if listed != nil && !listed.Has(base) {
				d.Absent = append(d.Absent, base)
				continue
			}
			path := join(d.Path, base)
			st, kind, ok, err := lkindOf(path)
			switch {
			case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
				d.Absent = append(d.Absent, base)
				continue
			case err != nil || !ok || st.Racy(g.since):
				return false
			}
			g.e.Present = append(g.e.Present, Present{Path: path, Kind: kind})
		}
	}
	return true
}

// isName reports whether n is a directory entry's name, which a listing
// answers for.
func isName(n string) bool { return n != "" && n != "." && n != ".." }

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

// byDotless keys read by its parents without their "." elements.
func byDotless(read map[string]map[string]bool) map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(read))
	for parent, names := range read {
		clean := withoutDots(parent)
		if out[clean] == nil {
			out[clean] = names
			continue
		}
		for n := range names {
			out[clean][n] = true
		}
	}
	return out
}

// withoutDots is path without its "." elements: the same directory to any
// lookup ("a/./b" walks through a as "a/b" does, a symlink or not). The
// places spell the directories every way the compiler may have (the cwd
// and "." beside it, "./include" beside "include"): a place that is a read
// file spelled otherwise is stated by the file's own fact, and needs no
// lstat nor a fact of its own (a kernel TU's record had 300 of them).
func withoutDots(path string) string {
	if !strings.Contains(path, "/.") {
		return path
	}
	return string(appendWithoutDots(nil, path))
}

// appendWithoutDots appends withoutDots(path) to dst: a lookup in a map
// by string(dst) copies nothing, for the thousands of parents a Gather
// looks up.
func appendWithoutDots(dst []byte, path string) []byte {
	start := len(dst)
	for i := 0; i <= len(path); {
		j := strings.IndexByte(path[i:], '/')
		if j < 0 {
			j = len(path) - i
		}
		if elem := path[i : i+j]; elem != "." || i == 0 {
			if len(dst) > start || i > 0 {
				dst = append(dst, '/')
			}
			dst = append(dst, elem...)
		}
		i += j + 1
	}
	if string(dst[start:]) == "" && strings.HasPrefix(path, "/") {
		dst = append(dst, '/')
	}
	return dst
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

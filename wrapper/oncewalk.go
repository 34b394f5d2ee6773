package wrapper

import (
	"path/filepath"
	"strings"
)

// onceWalker resolves include directives along the compile's search list,
// looking for an unlisted copy of a header read once (see oncereach.go).
type onceWalker struct {
	chk          onceCopyCheck
	quote, angle []string // absolute, as the compiler joins them
	read         map[string]bool
	once         map[int64][]inputFile
	lists        listing
	toolchain    map[string]bool // directory -> whether it is the toolchain's
	walked       map[string]bool
	places       map[string]placeFact
	cleanDirs    map[string]string
	any          anyNames // for computed includes (see oncecomputed.go)
	// lone is the first copy found with nothing of its name after it, and
	// loneOf the header it copies.
	lone, loneOf string
}

func newOnceWalker(set inputSet, chk onceCopyCheck, once map[int64][]inputFile) *onceWalker {
	abs := func(dirs []string) []string {
		out := make([]string, len(dirs))
		for i, d := range dirs {
			if !filepath.IsAbs(d) {
				// Joined, not cleaned: the kernel resolves "linked/.."
				// through the symlink, as the compiler does.
				d = chk.cwd + "/" + d
			}
			out[i] = d
		}
		return out
	}
	return &onceWalker{chk: chk, quote: abs(chk.search.Quote), angle: abs(chk.search.Angle),
		read: readPaths(set), once: once, lists: listing{}, toolchain: map[string]bool{}, walked: map[string]bool{}, places: map[string]placeFact{},
		cleanDirs: map[string]string{}, any: anyNames{from: map[string]bool{}}}
}

// resolve follows one directive of a file in includer: it returns the
// copy the directive may resolve to where another header of its name comes
// later, and the header it is a copy of, or "" (a copy with nothing after
// it is kept as lone). A directive resolves to the first place that holds
// a header; an #include_next (or, with -I-, a quote include) may start
// anywhere in the list, so every place counts.
func (w *onceWalker) resolve(includer string, r includeRef) (copyPath, of string) {
	if r.Name == "" || filepath.IsAbs(r.Name) {
		// Found where it is named, or not at all: nothing to search on to.
		return "", ""
	}
	every := r.Next || !r.Angle && w.chk.noIncluderDir
	key := string("qaQA"[boolBit(r.Angle)+2*boolBit(every)]) + r.Name
	if !r.Angle && !w.chk.noIncluderDir {
		key += "\x00" + includer
	}
	return w.walk(key, w.dirs(includer, r), r.Name, every)
}

// walk looks along dirs for the name once per key.
func (w *onceWalker) walk(key string, dirs []string, name string, every bool) (copyPath, of string) {
	if w.walked[key] {
		return "", ""
	}
	w.walked[key] = true
	last := w.lastProjectDir(dirs)
	for i := 0; i <= last; i++ {
		found, c, o := w.place(dirs[i], name)
		if c != "" && w.headerAfter(dirs[i+1:], name) {
			return c, o
		}
		w.keepLone(c, o)
		if found && !every {
			return "", ""
		}
	}
	return "", ""
}

// keepLone keeps the first copy found with nothing of its name after it.
func (w *onceWalker) keepLone(c, of string) {
	if c != "" && w.lone == "" {
		w.lone, w.loneOf = c, of
	}
}

// headerAfter reports whether a directory of dirs holds a header of the
// name: what a worker that lacks the copy would compile instead. With none,
// the worker's compile fails and runs locally: no wrong object, and a
// record of a local compile states the copy (see oncecopies.go).
func (w *onceWalker) headerAfter(dirs []string, name string) bool {
	for _, d := range dirs {
		if found, _, _ := w.place(d, name); found {
			return true
		}
	}
	return false
}

// placeFact is what one place holds.
type placeFact struct {
	found    bool // a header the compiler would take
	copyPath string
	of       string
}

// place says whether dir/name, dir a search directory, holds a header the
// compiler would take, and whether that is an unlisted copy of a header
// read once (and of which).
func (w *onceWalker) place(dir, name string) (found bool, copyPath, of string) {
	p := dir + "/" + name
	if f, ok := w.places[p]; ok {
		return f.found, f.copyPath, f.of
	}
	var f placeFact
	switch {
	case w.read[p] || w.read[w.clean(dir, name)]:
		f.found = true
	case w.lists.has(p):
		var size int64
		size, f.found = isHeader(p)
		if f.found && !w.isToolchainDir(dir) {
			if f.of = sameAsOnce(p, size, w.once); f.of != "" {
				f.copyPath = p
			}
		}
	}
	w.places[p] = f
	return f.found, f.copyPath, f.of
}

// clean is the clean path of dir/name, from dir's, which is cleaned once:
// a kernel-like compile searches "./include" for every name.
func (w *onceWalker) clean(dir, name string) string {
	if strings.Contains("/"+name+"/", "/./") || strings.Contains("/"+name+"/", "/../") || strings.Contains(name, "//") {
		return filepath.Clean(dir + "/" + name)
	}
	c, ok := w.cleanDirs[dir]
	if !ok {
		c = filepath.Clean(dir)
		w.cleanDirs[dir] = c
	}
	if c == "/" {
		return "/" + name
	}
	return c + "/" + name
}

// dirs is the search list of a directive of a file in includer ("" for
// none: the list after the includer's directory).
func (w *onceWalker) dirs(includer string, r includeRef) []string {
	if r.Angle {
		return w.angle
	}
	dirs := make([]string, 0, 1+len(w.quote)+len(w.angle))
	if includer != "" && !w.chk.noIncluderDir {
		dirs = append(dirs, includer)
	}
	return append(append(dirs, w.quote...), w.angle...)
}

// lastProjectDir is the index of the last directory in dirs that is not
// the toolchain's: no copy that matters lies past it. -1 when none is.
func (w *onceWalker) lastProjectDir(dirs []string) int {
	last := -1
	for i, d := range dirs {
		if !w.isToolchainDir(d) {
			last = i
		}
	}
	return last
}

func (w *onceWalker) isToolchainDir(d string) bool {
	tc, ok := w.toolchain[d]
	if !ok {
		tc = w.chk.isToolchain(filepath.Clean(d))
		w.toolchain[d] = tc
	}
	return tc
}

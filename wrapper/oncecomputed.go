package wrapper

import (
	"sort"
	"strings"
)

// An include whose name only preprocessing tells (#include MACRO) may name
// any file; the walker follows it under every name a file the compile read
// has under a directory searched or read from (the names a direct-mode
// record looks up, see places.go), from any place on. That is thousands of
// names in a dozen directories, most of which hold none of them: so the
// names are grouped by their directory part, each directory they would be
// in is listed once, and only names that exist there are looked at.

// anyNames is what the walker keeps for computed includes.
type anyNames struct {
	groups   map[string][]string // directory part -> base names
	dirs     []string            // the groups' directory parts, sorted
	from     map[string]bool     // includer directories followed
	tailDone bool                // the list after the includer's directory
}

// resolveAny follows the computed includes of a file in includer.
func (w *onceWalker) resolveAny(includer string) (copyPath, of string) {
	tail := w.dirs("", includeRef{})
	if !w.chk.noIncluderDir && !w.any.from[includer] {
		w.any.from[includer] = true
		if c, o := w.existingCopy([]string{includer}, tail); c != "" {
			return c, o
		}
	}
	if w.any.tailDone {
		return "", ""
	}
	w.any.tailDone = true
	for i := range tail {
		if c, o := w.existingCopy(tail[i:i+1], tail[i+1:]); c != "" {
			return c, o
		}
	}
	return "", ""
}

// existingCopy looks in dirs for a copy of a header read once under any
// name, with a header of its name in after: it returns it, or keeps one
// with none after as lone.
func (w *onceWalker) existingCopy(dirs, after []string) (copyPath, of string) {
	for _, d := range dirs {
		if w.isToolchainDir(d) {
			continue
		}
		for _, nd := range w.nameDirs() {
			parent := d
			if nd != "" {
				parent = d + "/" + nd
			}
			listed := w.lists.names(parent)
			if listed != nil && len(listed) == 0 {
				continue
			}
			for _, base := range w.any.groups[nd] {
				if listed != nil && !listed[base] {
					continue
				}
				n := base
				if nd != "" {
					n = nd + "/" + base
				}
				if _, c, o := w.place(d, n); c != "" {
					if w.headerAfter(after, n) {
						return c, o
					}
					w.keepLone(c, o)
				}
			}
		}
	}
	return "", ""
}

// nameDirs groups the names by directory part, once, and lists the parts.
func (w *onceWalker) nameDirs() []string {
	if w.any.groups != nil {
		return w.any.dirs
	}
	w.any.groups = map[string][]string{}
	for _, n := range searchPlaces(w.chk.cwd, w.chk.deps, w.chk.search, nil).Names {
		nd, base := "", n
		if i := strings.LastIndexByte(n, '/'); i >= 0 {
			nd, base = n[:i], n[i+1:]
		}
		w.any.groups[nd] = append(w.any.groups[nd], base)
	}
	for nd := range w.any.groups {
		w.any.dirs = append(w.any.dirs, nd)
	}
	sort.Strings(w.any.dirs)
	return w.any.dirs
}

package manifest

import "strings"

// Places are where the compiler may have looked for a file: every name
// under every directory (Dirs × Names: tens of thousands for a kernel compile,
// never spelled out), and Paths besides.
type Places struct {
	Dirs, Names, Paths []string
}

// lookups are places in one parent directory: dir joined with each of
// names, whose last elements differ.
type lookups struct {
	dir   string
	names []string
}

// groupPlaces groups the places by their parent directory. The names of
// Dirs × Names are grouped once by their own directory part, so that each
// place is never built as a string.
func groupPlaces(places Places) (map[string][]lookups, bool) {
	byDirPart := map[string][]string{}
	for _, n := range places.Names {
		if !recordable(n) || strings.HasPrefix(n, "/") {
			return nil, false
		}
		part := ""
		if i := strings.LastIndexByte(n, '/'); i >= 0 {
			part = n[:i]
		}
		byDirPart[part] = append(byDirPart[part], n)
	}
	// Sized at once: a kernel TU has some 2,000 parents, and growing the
	// map rehashes it several times.
	byParent := make(map[string][]lookups, len(places.Dirs)*len(byDirPart)+len(places.Paths))
	for _, d := range places.Dirs {
		if !recordable(d) || !strings.HasPrefix(d, "/") {
			return nil, false
		}
		for part, names := range byDirPart {
			parent := d
			if part != "" {
				parent = join(d, part)
			}
			byParent[parent] = append(byParent[parent], lookups{dir: d, names: names})
		}
	}
	for _, p := range places.Paths {
		i := strings.LastIndexByte(p, '/')
		if !recordable(p) || i < 0 {
			return nil, false
		}
		parent := parentOf(p, i)
		byParent[parent] = append(byParent[parent], lookups{dir: parent, names: []string{p[i+1:]}})
	}
	return byParent, true
}

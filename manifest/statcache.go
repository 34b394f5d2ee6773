package manifest

import (
	"strings"

	"github.com/rexbuild/rex/dirlist"
)

// statCache remembers what stat said of each directory during one Gather:
// the places of one compile share most of their ancestors, and most of
// the directories they name (a header's name under every search
// directory) do not exist. It keeps the names of the directories read,
// whose stamps it took before reading them.
type statCache struct {
	stamps map[string]*Stamp
	names  map[string]*dirlist.Names
	lists  *dirlist.Cache
}

// newStatCache sizes the cache for about n paths.
func newStatCache(lists *dirlist.Cache, n int) *statCache {
	return &statCache{stamps: make(map[string]*Stamp, n), names: map[string]*dirlist.Names{}, lists: lists}
}

// stamp stats path, unless its lexical parent is missing: then so is path
// (resolving it walks through the parent, even for a "." or ".."), and
// thousands of lookups under missing directories cost no system call; nor
// does a path whose name its parent's names lack.
func (c *statCache) stamp(path string) (Stamp, bool) {
	if s, ok := c.stamps[path]; ok {
		if s == nil {
			return Stamp{}, false
		}
		return *s, true
	}
	if i := strings.LastIndexByte(path, '/'); i >= 0 && path != "/" {
		parent := parentOf(path, i)
		if _, ok := c.stamp(parent); !ok {
			c.stamps[path] = nil
			return Stamp{}, false
		}
		if names := c.names[parent]; names != nil && isName(path[i+1:]) && !names.Has(path[i+1:]) {
			c.stamps[path] = nil
			return Stamp{}, false
		}
	}
	s, err := StampOf(path)
	if err != nil {
		c.stamps[path] = nil
		return Stamp{}, false
	}
	c.stamps[path] = &s
	if names, ok := c.lists.Known(path, s); ok {
		c.names[path] = names
	}
	return s, true
}

// listing returns the names in dir, an existing directory whose stamp c
// took, when they are known or there are many lookups in it (one read of
// the directory costs less than many lstats), else nil. The read comes
// after the stamp, so a name created since is listed, and a stamp that
// holds later vouches for the names absent.
func (c *statCache) listing(dir string, ls []lookups) *dirlist.Names {
	if names := c.names[dir]; names != nil {
		return names
	}
	s := c.stamps[dir]
	if lookupCount(ls) < 16 || s == nil {
		return nil
	}
	names, _ := c.lists.Read(dir, *s)
	if names != nil {
		c.names[dir] = names
	}
	return names
}

// lookupCount is the number of places in ls.
func lookupCount(ls []lookups) int {
	n := 0
	for _, l := range ls {
		n += len(l.names)
	}
	return n
}

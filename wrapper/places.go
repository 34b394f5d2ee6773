package wrapper

import (
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/manifest"
)

// searchPlaces lists where the compiler may have looked for the files it
// read: every name it could have asked for, in every directory it could
// have searched. The compiler prints a file it found as the searched
// directory joined with the name, so a file's names are its path relative
// to each directory that prefixes it; the directories are the search list,
// the cwd and the directory of every file read (the quote includes' own
// directories). The product is a superset of the lookups the compile made,
// kept as the compiler spelled it (a ".." is resolved by the filesystem,
// through symlinks, as the compiler resolved it). lookedFor, the absolute
// paths the compiler told it looked for in vain (nil when it did not),
// join as paths of their own where the product lacks them.
func searchPlaces(cwd string, deps []string, search depscan.SearchList, lookedFor []string) manifest.Places {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return cwd + "/" + p
	}
	dirSet := map[string]bool{cwd: true}
	for _, list := range [][]string{search.Quote, search.Angle, search.Ignored} {
		for _, d := range list {
			dirSet[strings.TrimRight(abs(d), "/")] = true
		}
	}
	paths := make([]string, len(deps))
	for i, dep := range deps {
		paths[i] = abs(dep)
		dirSet[paths[i][:strings.LastIndexByte(paths[i], '/')]] = true
	}
	delete(dirSet, "")
	// A path's names are its parts after each slash whose prefix is a
	// directory of the set.
	names := map[string]bool{}
	for _, p := range paths {
		for i := 1; i < len(p); i++ {
			if p[i] == '/' && dirSet[p[:i]] {
				names[p[i+1:]] = true
			}
		}
	}
	places := manifest.Places{Dirs: make([]string, 0, len(dirSet)), Names: make([]string, 0, len(names))}
	for d := range dirSet {
		places.Dirs = append(places.Dirs, d)
	}
	for n := range names {
		places.Names = append(places.Names, n)
	}
	// The lookups the compiler told of are mostly places already; the
	// others join as paths of their own.
	for _, p := range lookedFor {
		covered := false
		for i := 1; i < len(p) && !covered; i++ {
			covered = p[i] == '/' && dirSet[p[:i]] && names[p[i+1:]]
		}
		if !covered {
			places.Paths = append(places.Paths, p)
		}
	}
	return places
}

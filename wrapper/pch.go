package wrapper

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/dirlist"
)

// Precompiled headers. gcc looks for name.gch (a file, or a directory of
// them) in each directory it searches for a header the primary source or
// an -include option names, just before the header itself, and reads a
// valid one instead; -M lists the header it would have read, or nothing.
// A worker lacks the .gch and would compile another object. depscan
// refuses a .gch beside a listed header; here every place a .gch could
// stand for one of the source's includes is looked at, the compile runs
// locally when one exists, and a direct-mode record states each place
// absent, so that a .gch made later makes the compile scan again.

// pchPlaces lists where gcc may look for a precompiled header: name.gch
// for every name the source and the -include options name, in every
// directory the compiler could search for it (a superset). It returns nil
// for a compiler that reads no .gch it is not given.
func pchPlaces(cwd string, p *compiler.Invocation, deps []string, search depscan.SearchList) []string {
	if p.Family != compiler.GCC {
		return nil
	}
	names, ok := includeNames(sourcePath(cwd, p))
	if !ok {
		// A directive the parse below does not know: every name of every
		// file the compile read.
		names = searchPlaces(cwd, deps, search, nil).Names
	}
	names = append(names, p.OptionValues("-include")...)
	dirs := []string{cwd, filepath.Dir(cwd + "/" + p.Source)}
	if filepath.IsAbs(p.Source) {
		dirs[1] = filepath.Dir(p.Source)
	}
	for _, list := range [][]string{search.Quote, search.Angle, search.Ignored} {
		for _, d := range list {
			if !filepath.IsAbs(d) {
				d = cwd + "/" + d
			}
			dirs = append(dirs, d)
		}
	}
	var places []string
	seen := map[string]bool{}
	add := func(place string) {
		if !seen[place] {
			seen[place] = true
			places = append(places, place)
		}
	}
	for _, n := range names {
		if filepath.IsAbs(n) {
			add(n + ".gch")
			continue
		}
		for _, d := range dirs {
			add(d + "/" + n + ".gch")
		}
	}
	return places
}

// firstPrecompiled returns the first of places that exists, or "". The
// places share a few parent directories, most of them missing: each
// parent is stated and read once, through lists (a place in one that
// cannot be read is looked up by itself).
func firstPrecompiled(places []string, lists *dirlist.Cache) string {
	listed := map[string]placeDir{}
	for _, p := range places {
		dir, name := filepath.Split(p)
		d, ok := listed[dir]
		if !ok {
			d = readPlaceDir(dir, lists)
			listed[dir] = d
		}
		switch {
		case d.missing:
		case d.names == nil:
			if _, err := os.Lstat(p); err == nil {
				return p
			}
		case d.names.Has(name):
			return p
		}
	}
	return ""
}

// placeDir is what a directory of places holds: nothing when it is
// missing, else its names (nil when it cannot be read).
type placeDir struct {
	names   *dirlist.Names
	missing bool
}

// readPlaceDir reads dir, which ends in a slash.
func readPlaceDir(dir string, lists *dirlist.Cache) placeDir {
	if dir != "/" {
		dir = strings.TrimSuffix(dir, "/")
	}
	if dir == "" {
		return placeDir{}
	}
	names, err := lists.ReadPath(dir) // nil when unreadable
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return placeDir{missing: true}
	}
	return placeDir{names: names}
}

// includeNames returns the names the #include, #include_next and #import
// directives of the file at path name. ok is false when a line may be such
// a directive that the parse does not read (a computed include, a comment
// before the '#', a backslash-newline), or the file cannot be read.
func includeNames(path string) (names []string, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	return includeNamesIn(data)
}

// includeNamesIn is includeNames of a file's content: the names of its
// include directives as the once-copies check reads them (includeRefsIn).
func includeNamesIn(data []byte) (names []string, ok bool) {
	r := includeRefsIn(data)
	if r.Computed {
		return nil, false
	}
	for _, ref := range r.Refs {
		names = append(names, ref.Name)
	}
	return names, true
}

// eachDirectiveLine calls f with each line of data that mentions include
// or import, until f returns false.
func eachDirectiveLine(data []byte, f func(line []byte) bool) {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if (bytes.Contains(line, []byte("include")) || bytes.Contains(line, []byte("import"))) && !f(line) {
			return
		}
	}
}

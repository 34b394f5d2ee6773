package wrapper

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/manifest"
)

// Copies of a header read once. gcc skips a file whose size, mtime and
// content are those of a #pragma once header it has read (a symlink to it,
// a copy), clang one with its inode, and -M does not list it: yet the
// compile read it, and a record that left it out would hold after the link
// leads elsewhere or the copy is edited. #import makes a file read once
// too, whatever it says. So when a file the compile read may be read once
// (see readOnceBySize), every file an include directive of a project file
// could name, in every directory the compiler could search, that has the
// size of such a header and was not listed, is a fact of the record by its
// content, as the files read are. (See twins.go for the copies -M lists.)
// That reads every project file of such a compile, so it is done only when the
// result may come from a local compile: with a server that executes, a
// compile that may read such a copy runs locally and writes no record (see
// oncereach.go).

// onceCopies returns those facts: the places of the size of a file in once
// (the files the compile read that may be read once, by size) where an
// include directive of a project file could lead. ok is false when an
// include directive cannot be read: the record cannot state what it names,
// and is not written. With nothing read once, no file is read.
func onceCopies(set inputSet, dirs []string, once map[int64][]inputFile) (copies []manifest.File, ok bool) {
	if len(once) == 0 {
		return nil, true
	}
	names, ok := projectIncludeNames(set)
	if !ok {
		return nil, false
	}
	read := make(map[string]bool, len(set.project))
	for _, f := range set.project {
		read[f.read], read[f.clean] = true, true
	}
	listed := map[string]map[string]bool{}
	for _, place := range namePlaces(names, dirs) {
		parent, base := filepath.Split(place)
		if listed[parent] == nil {
			listed[parent], _ = manifest.Entries(parent) // nil when unreadable
		}
		if read[place] || read[filepath.Clean(place)] || listed[parent] != nil && !listed[parent][base] {
			continue
		}
		st := statOf(place)
		if !st.exists || len(once[st.size]) == 0 {
			continue
		}
		sum, err := digest.BLAKE3.FromFile(place)
		if err != nil {
			return nil, false
		}
		copies = append(copies, manifest.File{Path: place, Stamp: st.stamp(), Hash: sum, Function: digest.BLAKE3})
	}
	return copies, true
}

// projectIncludeNames reads the project files for the names their include
// directives give; ok is false when a directive cannot be read.
func projectIncludeNames(set inputSet) (names []string, ok bool) {
	for _, f := range set.project {
		data, err := os.ReadFile(f.read)
		if err != nil {
			return nil, false
		}
		ns, parsed := includeNamesIn(data)
		if !parsed {
			return nil, false
		}
		names = append(names, ns...)
	}
	return names, true
}

// namePlaces joins each name to each directory (an absolute name stands
// alone), once each.
func namePlaces(names, dirs []string) []string {
	seen := map[string]bool{}
	var places []string
	for _, n := range names {
		for _, d := range dirs {
			p := d + "/" + n
			if filepath.IsAbs(n) {
				p = n
			}
			if !seen[p] {
				seen[p] = true
				places = append(places, p)
			}
		}
	}
	return places
}

// saysOnce reports whether data may hold a #pragma once: a line with both
// words (the spellings vary: "# pragma  once", _Pragma("once")), its lines
// joined as the compiler joins them (see depscan.Joined).
func saysOnce(data []byte) bool {
	data = depscan.Joined(data)
	for len(data) > 0 {
		i := bytes.Index(data, []byte("once"))
		if i < 0 {
			return false
		}
		start := bytes.LastIndexByte(data[:i], '\n') + 1
		end := len(data)
		if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
			end = i + j
		}
		if bytes.Contains(data[start:end], []byte("ragma")) {
			return true
		}
		data = data[end:]
	}
	return false
}

package wrapper

import (
	"bytes"
	"os"
	"sort"

	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
)

// Twin inputs. A header marked #pragma once, or included with #import, is
// read once however often it is included, and the compiler decides which
// files are that header by what stat says of them: gcc takes a file of the
// same size, mtime and content for the same header, clang a file of the
// same inode. No key covers those, and a worker stages inputs of equal
// content as links to one cached file, so that it takes two copies for one
// header where the user's tree holds two (or the other way round): the
// object, or whether the compile fails at all, differs. A compile that
// reads two files of the same content that may be read once runs locally.

// inputFile is a scanned input with the digest the key took of it.
type inputFile struct {
	path string
	sum  digest.Digest
	fn   digest.Function
}

// onceTwins returns two inputs of set with the same content that the
// compiler may take for one header, or "" when there are none. fn is the
// function of the project files' digests. Inputs of equal content are
// rare, so their content is read only then.
func onceTwins(set inputSet, fn digest.Function) (a, b string) {
	bySize := map[int64][]inputFile{}
	for _, f := range inputFiles(set, fn) {
		bySize[f.sum.Size] = append(bySize[f.sum.Size], f)
	}
	sizes := make([]int64, 0, len(bySize))
	for size, group := range bySize {
		// An empty file includes nothing, however often it is read.
		if size > 0 && len(group) > 1 {
			sizes = append(sizes, size)
		}
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	known, found := false, false
	imports := func() bool {
		if !known {
			known, found = true, anyImport(set) || macroOnce(set)
		}
		return found
	}
	for _, size := range sizes {
		group := bySize[size]
		for i := range group {
			for j := i + 1; j < len(group); j++ {
				if sameContent(group[i], group[j]) && readOnce(group[i].path, imports) {
					return group[i].path, group[j].path
				}
			}
		}
	}
	return "", ""
}

// sameContent compares two inputs by their digests, hashing one of them
// again when the two were taken by different functions.
func sameContent(x, y inputFile) bool {
	if x.fn == y.fn {
		return x.sum == y.sum
	}
	d, err := y.fn.FromFile(x.path)
	return err != nil || d == y.sum // unreadable: assume the worst
}

// readOnce says whether the file at path may be read once: it says
// "once" (#pragma once, _Pragma("once"), in any spelling), or the compile
// has an #import or a macro that may mark a file once. Either test may be true of a file that is read twice:
// the compile then only runs locally.
func readOnce(path string, imports func() bool) bool {
	data, err := os.ReadFile(path)
	return err != nil || bytes.Contains(data, []byte("once")) || imports()
}

// macroOnce says whether a macro of the compile may mark a file once
// (see depscan/oncetoken.go).
func macroOnce(set inputSet) bool {
	pragmaMacro, onceToken := false, false
	for _, p := range set.paths() {
		data, err := os.ReadFile(p)
		if err != nil {
			return true
		}
		pragmaMacro = pragmaMacro || depscan.PragmaMacro(data)
		onceToken = onceToken || depscan.OnceToken(data)
	}
	return pragmaMacro && onceToken
}

// anyImport says whether a file of the compile may hold an #import.
func anyImport(set inputSet) bool {
	for _, p := range set.paths() {
		data, err := os.ReadFile(p)
		if err != nil || bytes.Contains(data, []byte("import")) {
			return true
		}
	}
	return false
}

package wrapper

import (
	"bytes"
	"os"
	"slices"
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
// rare, so their content is read only then; whether the compile may mark
// any file once comes from the directive cache's flags of its files.
func onceTwins(set inputSet, fn digest.Function, cache *directiveCache, args []string) (a, b string, err error) {
	ins := inputFiles(set, fn)
	bySize := map[int64][]inputFile{}
	for _, f := range ins {
		bySize[f.sum.Size] = append(bySize[f.sum.Size], f)
	}
	sizes := make([]int64, 0, len(bySize))
	for size, group := range bySize {
		// An empty file includes nothing, however often it is read.
		if size > 0 && len(group) > 1 {
			sizes = append(sizes, size)
		}
	}
	if len(sizes) == 0 {
		return "", "", nil
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	known, anyOnce := false, false
	marksAny := func() (bool, error) {
		if !known {
			known = true
			anyOnce, err = mayMarkAnyOnce(ins, cache, args)
		}
		return anyOnce, err
	}
	for _, size := range sizes {
		group := bySize[size]
		for i := range group {
			for j := i + 1; j < len(group); j++ {
				if !sameContent(group[i], group[j]) {
					continue
				}
				once, err := readOnce(group[i].path, marksAny)
				if err != nil || once {
					return group[i].path, group[j].path, err
				}
			}
		}
	}
	return "", "", nil
}

// mayMarkAnyOnce says whether a file of the compile may hold an #import,
// or a macro of it (or of args) may mark a file once (see
// depscan/oncetoken.go): then
// any file may be read once, its own bytes saying nothing. A word
// "import" in a comment does not count, as it did when the files were
// searched for the word (every kernel compile that read two one-line
// headers of the same content ran locally for a comment's "important").
func mayMarkAnyOnce(ins []inputFile, cache *directiveCache, args []string) (bool, error) {
	// A -D may hold the word: -DONCE=PR(once).
	pragmaMacro, onceToken := false, slices.ContainsFunc(args, func(a string) bool { return depscan.HasWord([]byte(a), "once") })
	for _, in := range ins {
		flags, err := cache.onceFlags(in.path, in.fn, in.sum)
		switch {
		case err != nil:
			return false, err
		case flags.Import:
			return true, nil
		}
		pragmaMacro, onceToken = pragmaMacro || flags.PragmaMacro, onceToken || flags.OnceToken
	}
	return pragmaMacro && onceToken, nil
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
// "once" anywhere (#pragma once, _Pragma("once"), in any spelling, its
// lines joined as the compiler joins them), or the compile may mark any
// file once. Either may be true of a file that is read twice: the compile
// then only runs locally.
func readOnce(path string, marksAny func() (bool, error)) (bool, error) {
	data, err := os.ReadFile(path)
	if err != nil || bytes.Contains(depscan.Joined(data), []byte("once")) {
		return true, nil // unreadable: assume the worst
	}
	return marksAny()
}

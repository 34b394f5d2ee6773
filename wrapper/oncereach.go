package wrapper

import (
	"os"
	"strings"

	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/manifest"
)

// Unlisted copies of a header read once, where an include directive of the
// compile reaches them. gcc skips a file with the size, mtime and content
// of a header read once (a symlink to it, a copy made by cp -p, a checkout
// in one second), clang one with its inode, and -M does not list the copy:
// the input tree lacks it, and neither the key nor a record covers it. A
// worker that resolves the same directive searches on: where nothing of
// the name follows, its compile fails (and runs locally after all); where
// another header of the name does (an input, a toolchain header), the
// worker compiles that one and the object differs. So a compile whose
// include directives may resolve to such a copy runs locally.
//
// That must cost little where it cannot happen. Whether a file may be read
// once, and its include directives, are kept by content digest (see
// includerefs.go), and no directive is resolved unless a file the compile
// read may be read once. Each is then resolved as the compiler would,
// along its search list, with one listing per directory: only a first
// existing place that was not read is stat'ed, and only one with the size
// of a header read once is read and compared. (A copy in a toolchain
// directory is no concern: a worker has it, and skips it as the user's
// compiler does.)

// onceCopyCheck is what the check needs of the compile besides its inputs.
type onceCopyCheck struct {
	cwd    string
	search depscan.SearchList
	deps   []string // as the compiler printed them
	// forced are the -include and -imacros files: searched for from the
	// cwd, as quote includes.
	forced []string
	// noIncluderDir is -I-: quote includes do not search the includer's
	// directory.
	noIncluderDir bool
	isToolchain   func(string) bool
}

// reachableOnceCopy returns an unlisted copy of a header read once that an
// include directive of the compile may resolve to, and that header; "" when
// there is none. later says another header of the copy's name comes after
// it in the search list; a copy with none after it is returned only when
// no copy has one. once are the headers that may be read once, by size
// (see readOnceBySize).
func reachableOnceCopy(set inputSet, chk onceCopyCheck, cache *directiveCache, fn digest.Function, once map[int64][]inputFile) (copyPath, of string, later bool, err error) {
	if len(once) == 0 {
		return "", "", false, nil
	}
	w := newOnceWalker(set, chk, once)
	for _, in := range inputFiles(set, fn) {
		v, err := cache.entry("includes4:"+in.fn.Name()+":"+in.sum.String(), in.path, in.fn, in.sum,
			func(data []byte) string { return includeRefsIn(data).encode() })
		if err != nil {
			return "", "", false, err
		}
		// Not cleaned: the compiler searches the includer's directory as
		// it spelled the includer, "linked/.." through the symlink.
		includer := in.path[:max(strings.LastIndexByte(in.path, '/'), 1)]
		if c, o := w.resolveAll(includer, decodeIncludeRefs(v)); c != "" {
			return c, o, true, nil
		}
	}
	for _, name := range chk.forced {
		if c, o := w.resolve(chk.cwd, includeRef{Name: name}); c != "" {
			return c, o, true, nil
		}
	}
	return w.lone, w.loneOf, false, nil
}

// resolveAll resolves the directives of one file in includer.
func (w *onceWalker) resolveAll(includer string, refs includeRefs) (copyPath, of string) {
	for _, r := range refs.Refs {
		if c, o := w.resolve(includer, r); c != "" {
			return c, o
		}
	}
	if refs.Computed {
		return w.resolveAny(includer)
	}
	return "", ""
}

// inputFiles lists the files the compile read with the digests the key
// took of them.
func inputFiles(set inputSet, fn digest.Function) []inputFile {
	ins := make([]inputFile, 0, len(set.project)+len(set.system))
	for _, f := range set.project {
		ins = append(ins, inputFile{f.read, f.digest, fn})
	}
	for _, f := range set.system {
		ins = append(ins, inputFile{f.path, f.digest, digest.BLAKE3})
	}
	return ins
}

// readOnceBySize returns the files the compile read that may be read once,
// by size: those that say once, or every file when one may hold an
// #import (gcc then compares a file with every file read).
func readOnceBySize(set inputSet, cache *directiveCache, fn digest.Function) (map[int64][]inputFile, error) {
	ins := inputFiles(set, fn)
	once := map[int64][]inputFile{}
	imports, pragmaMacro, onceToken := false, false, false
	for _, in := range ins {
		flags, err := cache.onceFlags(in.path, in.fn, in.sum)
		if err != nil {
			return nil, err
		}
		imports = imports || flags.Import
		pragmaMacro, onceToken = pragmaMacro || flags.PragmaMacro, onceToken || flags.OnceToken
		if flags.Once {
			once[in.sum.Size] = append(once[in.sum.Size], in)
		}
	}
	// An #import, or a macro that may mark a file once, may make any file
	// one read once.
	if imports || pragmaMacro && onceToken {
		clear(once)
		for _, in := range ins {
			once[in.sum.Size] = append(once[in.sum.Size], in)
		}
	}
	return once, nil
}

// readPaths is every path the compile read, as read and clean.
func readPaths(set inputSet) map[string]bool {
	read := make(map[string]bool, 2*len(set.project)+len(set.system))
	for _, f := range set.project {
		read[f.read], read[f.clean] = true, true
	}
	for _, f := range set.system {
		read[f.path] = true
	}
	return read
}

// probeHitCopy returns a file that a __has_include found, of added, that
// is a copy of a header read once, and that header; "" when there is none.
// The input tree would hold both: a worker that stages inputs of one
// content as links to one file skips the copy as the user's compiler does,
// one that copies them with mtimes seconds apart would read it.
func probeHitCopy(added []string, once map[int64][]inputFile) (copyPath, of string) {
	for _, p := range added {
		if size, ok := isHeader(p); ok {
			if of := sameAsOnce(p, size, once); of != "" {
				return p, of
			}
		}
	}
	return "", ""
}

// sameAsOnce returns the header read once whose content the file at path,
// of size size, has, or "". A file that cannot be read may be any.
func sameAsOnce(path string, size int64, once map[int64][]inputFile) string {
	for _, in := range once[size] {
		if d, err := in.fn.FromFile(path); err != nil || d == in.sum {
			return in.path
		}
	}
	return ""
}

// isHeader reports whether the compiler would take what is at path for a
// header: a directory, or a dangling symlink, is searched past.
func isHeader(path string) (size int64, ok bool) {
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		return 0, false
	}
	return st.Size(), true
}

// listing is manifest.Entries of one compile's directories, each listed
// once.
type listing map[string]map[string]bool

// has reports whether anything is at path, from its directory's listing.
func (l listing) has(path string) bool {
	i := strings.LastIndexByte(path, '/')
	names := l.names(path[:max(i, 1)])
	if names == nil {
		_, err := os.Lstat(path)
		return err == nil
	}
	return names[path[i+1:]]
}

// names lists dir (empty when it does not exist), or is nil when dir
// cannot be read.
func (l listing) names(dir string) map[string]bool {
	names, ok := l[dir]
	if !ok {
		var listed bool
		if names, listed = manifest.Entries(dir); !listed {
			names = nil
		}
		l[dir] = names
	}
	return names
}

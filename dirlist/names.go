package dirlist

import (
	"os"
	"syscall"
)

// Names are the names a directory held when it was read.
type Names struct {
	set map[string]struct{}
	// folded holds the names in ASCII lower case, and wide says whether
	// one is not ASCII, where the file system may match names without
	// case (see FoldsNames).
	folded map[string]struct{}
	wide   bool
}

// newNames are the names of set, which they keep.
func newNames(set map[string]struct{}) *Names {
	n := &Names{set: set}
	if FoldsNames {
		n.fold()
	}
	return n
}

// Has reports whether a lookup of name in the directory may find it: the
// name was in the directory, or, where the file system may match names
// without case or Unicode normalisation (FoldsNames), a name it could
// match. A caller that must know looks the name up. "." and ".." are not
// names.
func (n *Names) Has(name string) bool {
	if _, ok := n.set[name]; ok {
		return true
	}
	return FoldsNames && n.mayMatch(name)
}

// Len is the number of names.
func (n *Names) Len() int { return len(n.set) }

func (n *Names) fold() {
	n.folded = make(map[string]struct{}, len(n.set))
	for name := range n.set {
		if !isASCII(name) {
			n.wide = true
		}
		n.folded[lowerASCII(name)] = struct{}{}
	}
}

// mayMatch reports whether name may name an entry of another spelling on
// a file system that matches names without case or normalisation (macOS's
// default volumes, a case-insensitive ZFS dataset): one the same in ASCII
// lower case, or any entry when either side is not ASCII (Unicode case
// folding and normalisation tell more names apart than this code does).
func (n *Names) mayMatch(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	if n.wide || !isASCII(name) {
		return len(n.set) > 0
	}
	_, ok := n.folded[lowerASCII(name)]
	return ok
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// readNames lists dir through Go's own reading of directories: read where
// the raw entries that Linux's read parses differ (every other system),
// and what Linux's read must agree with. When st is not nil, ok is false
// unless the directory opened is the one it states (see opened).
func readNames(dir string, st *Stat) (*Names, bool) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if st != nil && !opened(int(f.Fd()), *st) {
		return nil, false
	}
	list, err := f.Readdirnames(-1) // os retries what a signal interrupts
	if err != nil {
		return nil, false
	}
	set := make(map[string]struct{}, len(list))
	for _, name := range list {
		set[name] = struct{}{}
	}
	return newNames(set), true
}

// opened reports whether fd is the directory stated as st. A symlink or
// mount on the path changed since the stat opens another directory, whose
// names, kept under st, would answer for the first one later.
func opened(fd int, st Stat) bool {
	var sys syscall.Stat_t
	return syscall.Fstat(fd, &sys) == nil && FromSys(&sys) == st
}

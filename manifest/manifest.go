// Package manifest keeps rex's direct-mode records. A record says, for one
// compile context (compiler, arguments, working directory, environment),
// which files a compile read, with their content digests and the stat data
// that tells cheaply that they did not change, and which places the
// compiler would have searched and found empty: a header that appears in an
// earlier include directory, or where a __has_include looked, changes the
// compile as surely as an edit does. While every fact holds, the compile's
// action digest is the one recorded, and rex can skip the dependency scan.
package manifest

import (
	"errors"
	"os"
	"strings"
	"syscall"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/dirlist"
)

// Stamp is what stat says about a file or directory. A zero Stamp matches
// nothing: the fact is then checked the slow way every time.
type Stamp = dirlist.Stat

// StampOf stats path (following symlinks, as the compiler's open does).
func StampOf(path string) (Stamp, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return Stamp{}, err
	}
	return stampFrom(&st), nil
}

func lstampOf(path string) (Stamp, error) {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return Stamp{}, err
	}
	return stampFrom(&st), nil
}

func stampFrom(st *syscall.Stat_t) Stamp { return dirlist.FromSys(st) }

// RacyWindow is how recent a change must be for its stat data to be
// distrusted (see dirlist.RacyWindow).
const RacyWindow = dirlist.RacyWindow

// File is a file the compile read. Hash is its digest by Function (the
// one the key hashed it with), which a changed Stamp falls back to.
type File struct {
	Path     string
	Stamp    Stamp
	Hash     digest.Digest
	Function digest.Function
}

// Dir is a directory whose entries Absent (paths relative to it) must not
// exist. While its Stamp holds, none was created; otherwise each is checked.
type Dir struct {
	Path   string
	Stamp  Stamp
	Absent []string
	// below are more absent places, not spelled out (see absentRun).
	below []absentRun
	// absent is the absent places as a record holds them (none when raw
	// is empty), decoded only when the stamp does not hold: most hits
	// never need them.
	absent absentList
}

// absentRun is the absent places name[cut:] for each name of a list: a
// header's names looked up under a search directory that lacks their
// directory part, stated as one reference to the list they share.
type absentRun struct {
	names []string
	cut   int
}

// undecoded turns the recorded form of the absent places into Absent
// and runs.
func (d *Dir) undecoded() {
	if d.absent.raw != "" {
		d.Absent, d.below = d.absent.decode()
		d.absent = absentList{}
	}
}

// absentPaths returns every absent place of d, spelling out the recorded
// form and the runs on first use.
func (d *Dir) absentPaths() []string {
	if d.absent.raw != "" {
		d.Absent, d.absent = d.absent.paths(), absentList{}
	}
	for _, r := range d.below {
		for _, n := range r.names {
			d.Absent = append(d.Absent, n[r.cut:])
		}
	}
	d.below = nil
	return d.Absent
}

// Present is a place the compiler might have searched that exists but was
// not read: a later entry in the search path, or a superset's guess. What
// the compiler does with such a place depends on its kind alone: it opens
// it (following symlinks) and searches on past a directory or a missing
// target; a file there that it did not read cannot have come before the
// one it found (gather refuses a place that appeared during the compile).
// So the fact is the kind, not the stat data: a tree copied afresh, or
// rebuilt beside its sources, keeps its records.
type Present struct {
	Path string
	Kind Kind
}

// Kind is what the compiler's open finds at a place.
type Kind byte

const (
	KindFile     Kind = iota // anything it would open and read
	KindDir                  // a directory, which it skips
	KindDangling             // a symlink to nothing, which it skips
)

// lkindOf is lstampOf with kindOf's answer: the lstat tells the kind of
// anything but a symlink, whose target only a stat can tell.
func lkindOf(path string) (st Stamp, k Kind, ok bool, err error) {
	var sys syscall.Stat_t
	if err := syscall.Lstat(path, &sys); err != nil {
		return Stamp{}, 0, false, err
	}
	switch sys.Mode & syscall.S_IFMT {
	case syscall.S_IFLNK:
		k, ok = kindOf(path)
	case syscall.S_IFDIR:
		k, ok = KindDir, true
	default:
		k, ok = KindFile, true
	}
	return stampFrom(&sys), k, ok, nil
}

// kindOf says what the compiler's open would find at path; ok is false
// when the path does not exist or cannot be stated.
func kindOf(path string) (k Kind, ok bool) {
	var st syscall.Stat_t
	err := syscall.Stat(path, &st)
	switch {
	case err == nil && st.Mode&syscall.S_IFMT == syscall.S_IFDIR:
		return KindDir, true
	case err == nil:
		return KindFile, true
	case errors.Is(err, syscall.ENOENT):
		if _, lerr := lstampOf(path); lerr == nil {
			return KindDangling, true
		}
	}
	return 0, false
}

// Entry is one record: the facts, and what they lead to.
type Entry struct {
	Files   []File
	Dirs    []Dir
	Present []Present
	// Action is the action digest the facts lead to; Replay is the
	// caller's data needed to serve it without planning (opaque here).
	Action string
	Replay []byte
}

// Holds reports whether every fact of e is still true.
func (e *Entry) Holds() bool {
	for i := range e.Files {
		if !e.Files[i].holds() {
			return false
		}
	}
	for i := range e.Present {
		if k, ok := kindOf(e.Present[i].Path); !ok || k != e.Present[i].Kind {
			return false
		}
	}
	for i := range e.Dirs {
		if !e.Dirs[i].holds() {
			return false
		}
	}
	return true
}

func (f *File) holds() bool {
	st, err := StampOf(f.Path)
	if err != nil {
		return false
	}
	if st == f.Stamp {
		return true
	}
	if !f.Function.IsValid() {
		return false
	}
	d, err := f.Function.FromFile(f.Path)
	return err == nil && d == f.Hash
}

func (d *Dir) holds() bool {
	if st, err := StampOf(d.Path); err == nil && st == d.Stamp {
		return true
	}
	// The directory changed (a build writes its objects beside its
	// sources): one read of its entries answers for every name in it.
	names, listed := Entries(d.Path)
	for _, rel := range d.absentPaths() {
		first, deeper := rel, false
		if i := strings.IndexByte(rel, '/'); i >= 0 {
			first, deeper = rel[:i], true
		}
		switch {
		case listed && !names[first]:
		case listed && !deeper:
			return false
		case !absent(join(d.Path, rel)):
			return false
		}
	}
	return true
}

// Entries lists the names in dir (none when it does not exist, or is not a
// directory); listed is false when it cannot be read, or where a name may
// find an entry spelled otherwise (dirlist.FoldsNames): each place is then
// looked up by itself.
func Entries(dir string) (names map[string]bool, listed bool) {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return map[string]bool{}, true
	}
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if dirlist.FoldsNames {
		return nil, false
	}
	list, err := f.Readdirnames(-1)
	if err != nil {
		return nil, false
	}
	names = make(map[string]bool, len(list))
	for _, n := range list {
		names[n] = true
	}
	return names, true
}

// absent reports whether nothing, not even a dangling symlink, is at path.
func absent(path string) bool {
	_, err := lstampOf(path)
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

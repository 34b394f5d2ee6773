package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/digest"
)

// reuse lays out the shareable subtree k at path from the directory cache.
// The idle subtree it lends (one laid out for k, else the nearest one last
// lent at place) is patched into a layout of k, once the files it keeps
// pass the file cache's sampled check; with none, or when a kept file is
// found changed, the subtree is created. It returns the subtree's tree and
// when its kept files were last refreshed in the file cache: at most once
// every touchKeptEvery, which keeps them from looking unused to its
// eviction at a fraction of the cost of refreshing them on every use.
func (l *layout) reuse(k dirKey, place, path string) (lentDir, error) {
	old := l.s.dirs.take(k, place, path, func(o *lentDir) int { return diffCost(o.tree, l.dirs, o.key.d, k.d) })
	if old != nil {
		err := l.checkKept(old.tree, old.key.d, k.d, path)
		if err == nil {
			d := lentDir{tree: old.tree, touched: old.touched}
			if old.key != k {
				d.tree = subtree(l.dirs, k.d)
			}
			noteKept := time.Since(old.touched) >= touchKeptEvery
			if noteKept {
				d.touched = time.Now()
			}
			return d, l.patch(old.tree, old.key.d, k.d, path, noteKept)
		}
		if !errors.Is(err, errKeptChanged) {
			return lentDir{}, err
		}
		if err := os.RemoveAll(path); err != nil {
			return lentDir{}, err
		}
	}
	if err := l.layOut(k.d, path, true); err != nil {
		return lentDir{}, err
	}
	return lentDir{tree: subtree(l.dirs, k.d), touched: time.Now()}, nil
}

// touchKeptEvery is how often the files an idle subtree keeps are
// refreshed in the file cache.
const touchKeptEvery = time.Minute

// errKeptChanged: a file an idle subtree would keep is not what it was.
var errKeptChanged = errors.New("a file of an idle subtree changed")

// checkKept hashes again, as the file cache does for the files it lends
// (one use in sampleEvery, these uses counted too), the files that the
// subtree at path, laid out for o, keeps in a layout of n. A file found
// changed leaves the file cache too, whose copy it links, and the error is
// errKeptChanged.
func (l *layout) checkKept(ot map[digest.Digest]*repb.Directory, o, n digest.Digest, path string) error {
	om, nm := ot[o], l.dirs[n]
	err := merge(om.GetFiles(), nm.GetFiles(), func(a, b *repb.FileNode) error {
		if !sameFile(a, b) || !l.s.cache.sample() {
			return nil
		}
		k, err := fileKeyOf(l.s.fn, b)
		if err != nil {
			return err
		}
		if d, err := l.s.fn.FromFile(filepath.Join(path, b.GetName())); err != nil || d != k.d {
			l.s.cache.forget(k)
			return errKeptChanged
		}
		return nil
	})
	if err != nil {
		return err
	}
	return merge(om.GetDirectories(), nm.GetDirectories(), func(a, b *repb.DirectoryNode) error {
		if a == nil || b == nil {
			return nil
		}
		return l.checkKept(ot, dirDigest(a), dirDigest(b), filepath.Join(path, b.GetName()))
	})
}

// patch turns the subtree at path, laid out for the Directory o of ot,
// into a layout of n: it removes what only o holds, keeps what both hold
// (noting their files in l.kept when noteKept), and lays out what only n
// holds (noting its files to place).
func (l *layout) patch(ot map[digest.Digest]*repb.Directory, o, n digest.Digest, path string, noteKept bool) error {
	om, nm := ot[o], l.dirs[n]
	if nm == nil {
		return withCode(codes.FailedPrecondition, fmt.Errorf("input directory %s missing from the tree", n))
	}
	if err := removeStale(om, nm, path); err != nil {
		return err
	}
	err := merge(om.GetFiles(), nm.GetFiles(), func(a, b *repb.FileNode) error {
		if b == nil {
			return nil
		}
		k, err := fileKeyOf(l.s.fn, b)
		if err != nil {
			return withCode(codes.InvalidArgument, fmt.Errorf("input file %s: %w", b.GetName(), err))
		}
		if sameFile(a, b) {
			if noteKept {
				l.kept = append(l.kept, k)
			}
			return nil
		}
		p := filepath.Join(path, b.GetName())
		l.files[k] = append(l.files[k], stagedFile{path: p, writable: l.s.writable(p)})
		return nil
	})
	if err == nil {
		err = merge(om.GetSymlinks(), nm.GetSymlinks(), func(a, b *repb.SymlinkNode) error {
			if b == nil || a != nil && a.GetTarget() == b.GetTarget() {
				return nil
			}
			return os.Symlink(b.GetTarget(), filepath.Join(path, b.GetName()))
		})
	}
	if err != nil {
		return err
	}
	return merge(om.GetDirectories(), nm.GetDirectories(), func(a, b *repb.DirectoryNode) error {
		if b == nil {
			return nil
		}
		bd, err := digest.FromProto(b.GetDigest())
		if err != nil {
			return withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", b.GetName(), err))
		}
		if a == nil {
			return l.layOut(bd, filepath.Join(path, b.GetName()), true)
		}
		return l.patch(ot, dirDigest(a), bd, filepath.Join(path, b.GetName()), noteKept)
	})
}

// removeStale removes from the directory at path, laid out for om, what a
// layout of nm does not keep: files and symlinks that differ or are gone,
// and directories that are gone.
func removeStale(om, nm *repb.Directory, path string) error {
	err := merge(om.GetFiles(), nm.GetFiles(), func(a, b *repb.FileNode) error {
		if a == nil || sameFile(a, b) {
			return nil
		}
		return os.Remove(filepath.Join(path, a.GetName()))
	})
	if err == nil {
		err = merge(om.GetSymlinks(), nm.GetSymlinks(), func(a, b *repb.SymlinkNode) error {
			if a == nil || b != nil && a.GetTarget() == b.GetTarget() {
				return nil
			}
			return os.Remove(filepath.Join(path, a.GetName()))
		})
	}
	if err != nil {
		return err
	}
	return merge(om.GetDirectories(), nm.GetDirectories(), func(a, b *repb.DirectoryNode) error {
		if a == nil || b != nil {
			return nil
		}
		return os.RemoveAll(filepath.Join(path, a.GetName()))
	})
}

// diffCost is about how many entries patching a layout of o (in ot) into
// one of n (in nt) removes and adds.
func diffCost(ot, nt map[digest.Digest]*repb.Directory, o, n digest.Digest) int {
	if o == n {
		return 0
	}
	om, nm := ot[o], nt[n]
	cost := 0
	merge(om.GetFiles(), nm.GetFiles(), func(a, b *repb.FileNode) error {
		if !sameFile(a, b) {
			cost++
		}
		return nil
	})
	merge(om.GetSymlinks(), nm.GetSymlinks(), func(a, b *repb.SymlinkNode) error {
		if a == nil || b == nil || a.GetTarget() != b.GetTarget() {
			cost++
		}
		return nil
	})
	merge(om.GetDirectories(), nm.GetDirectories(), func(a, b *repb.DirectoryNode) error {
		switch {
		case a == nil:
			cost += countNodes(nt, dirDigest(b), map[digest.Digest]int{})
		case b == nil:
			cost += countNodes(ot, dirDigest(a), map[digest.Digest]int{})
		default:
			cost += diffCost(ot, nt, dirDigest(a), dirDigest(b))
		}
		return nil
	})
	return cost
}

// named is a node of a Directory.
type named interface{ GetName() string }

// merge walks two lists of nodes sorted by name, as a Directory holds
// them, calling visit with the nodes of each name (the zero node for the
// list that lacks it) until it fails.
func merge[T named](old, new []T, visit func(o, n T) error) error {
	var none T
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		var err error
		switch {
		case j == len(new) || i < len(old) && old[i].GetName() < new[j].GetName():
			err = visit(old[i], none)
			i++
		case i == len(old) || new[j].GetName() < old[i].GetName():
			err = visit(none, new[j])
			j++
		default:
			err = visit(old[i], new[j])
			i, j = i+1, j+1
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sameFile reports whether a and b are both there, with one content and
// mode: a layout of one is a layout of the other.
func sameFile(a, b *repb.FileNode) bool {
	return a != nil && b != nil && a.GetIsExecutable() == b.GetIsExecutable() &&
		a.GetDigest().GetHash() == b.GetDigest().GetHash() && a.GetDigest().GetSizeBytes() == b.GetDigest().GetSizeBytes()
}

// fileKeyOf is the file cache's name for the content of f.
func fileKeyOf(fn digest.Function, f *repb.FileNode) (fileKey, error) {
	d, err := digest.FromProto(f.GetDigest())
	return fileKey{fn: fn, d: d, executable: f.GetIsExecutable()}, err
}

// dirDigest is the digest a validated DirectoryNode names.
func dirDigest(n *repb.DirectoryNode) digest.Digest {
	d, _ := digest.FromProto(n.GetDigest())
	return d
}

// subtree is the part of dirs under root.
func subtree(dirs map[digest.Digest]*repb.Directory, root digest.Digest) map[digest.Digest]*repb.Directory {
	t := map[digest.Digest]*repb.Directory{}
	walkTree(root, func(d digest.Digest) (*repb.Directory, error) {
		t[d] = dirs[d]
		return dirs[d], nil
	})
	return t
}

package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/digest"
)

// stagedFile is a file of the input tree to place.
type stagedFile struct {
	path string
	// writable: the action may change this file (it is also an output, or
	// lies under one), so it gets a copy of its own, not a link.
	writable bool
}

// staging is what placing one action's inputs needs.
type staging struct {
	store casStore
	fn    digest.Function
	cache *fileCache
	own   *owner // the jail's user, or nil
	// link: inputs may be hard links into the cache. Only a jailed action
	// runs as a user who cannot write them; without the jail each action
	// gets copies.
	link bool
	// outputs are the host paths of the declared outputs (see writable).
	outputs []string
	// dirs lends subtrees that no output or the working directory (workDir,
	// a host path) lies in; nil without links.
	dirs    *dirCache
	workDir string
	// trees keeps parsed Directory messages across actions; may be nil.
	trees *treeCache
}

// stageInputs lays the input tree rooted at rootDigest out in dir: it
// fetches every Directory, refuses malformed ones before writing anything,
// lays out directories and symlinks, fetches into the file cache the files
// it lacks, then places every file from the cache.
//
// It returns the subtrees lent by or made for the directory cache, to give
// back (giveBack) once the action's processes are gone.
func stageInputs(ctx context.Context, s staging, rootDigest digest.Digest, dir string) ([]lentDir, error) {
	dirs, err := getTree(ctx, s.trees, s.store, s.fn, rootDigest)
	if err != nil {
		return nil, err
	}
	if n := countNodes(dirs, rootDigest, map[digest.Digest]int{}); n > maxInputNodes {
		return nil, withCode(codes.InvalidArgument, fmt.Errorf("input tree has %d nodes, more than %d", n, maxInputNodes))
	}
	l := &layout{dirs: dirs, files: map[fileKey][]stagedFile{}, s: &s, root: dir}
	if err := l.layOut(rootDigest, dir, false); err != nil {
		return nil, err
	}
	s.cache.touch(l.kept)
	return l.lent, s.placeFiles(ctx, l.files)
}

// maxInputNodes bounds the files, directories and symlinks of one input
// tree once laid out: a small DAG that names one Directory many times at
// each level would otherwise expand without end.
const maxInputNodes = 1 << 20

// countNodes returns how many files, directories and symlinks the tree at d
// has once laid out, counting each subtree once per reference (capped, so
// that the sum cannot overflow).
func countNodes(dirs map[digest.Digest]*repb.Directory, d digest.Digest, memo map[digest.Digest]int) int {
	if n, ok := memo[d]; ok {
		return n
	}
	msg := dirs[d]
	n := 1 + len(msg.GetFiles()) + len(msg.GetSymlinks())
	for _, sub := range msg.GetDirectories() {
		sd, err := digest.FromProto(sub.GetDigest())
		if err == nil {
			n = min(n+countNodes(dirs, sd, memo), maxInputNodes+1)
		}
	}
	memo[d] = n
	return n
}

// layout lays an input tree out on disk.
type layout struct {
	dirs  map[digest.Digest]*repb.Directory
	files map[fileKey][]stagedFile // to place, by content and mode
	s     *staging
	root  string // the input root's path
	lent  []lentDir
	// kept are the files that lent subtrees already held, used without
	// being placed, to refresh in the file cache (noted at most once a
	// minute per subtree, see reuse).
	kept []fileKey
}

// layOut creates the directory d at path, its subdirectories and symlinks,
// and notes its files. A shared directory stays the worker's, readable by
// all, so that it may go to the directory cache.
func (l *layout) layOut(d digest.Digest, path string, shared bool) error {
	msg, ok := l.dirs[d]
	if !ok {
		return withCode(codes.FailedPrecondition, fmt.Errorf("input directory %s missing from the tree", d))
	}
	// Mkdir, not MkdirAll: directories are laid out parents first, each
	// once, and a directory's creation is the largest part of staging on
	// ext4; MkdirAll would also stat it and its parent first.
	if err := os.Mkdir(path, 0o755); err != nil {
		return err
	}
	if err := l.claim(path, shared); err != nil {
		return err
	}
	for _, f := range msg.GetFiles() {
		k, err := fileKeyOf(l.s.fn, f)
		if err != nil {
			return withCode(codes.InvalidArgument, fmt.Errorf("input file %s: %w", f.GetName(), err))
		}
		p := filepath.Join(path, f.GetName())
		l.files[k] = append(l.files[k], stagedFile{path: p, writable: l.s.writable(p)})
	}
	for _, s := range msg.GetSymlinks() {
		if err := os.Symlink(s.GetTarget(), filepath.Join(path, s.GetName())); err != nil {
			return err
		}
	}
	for _, sub := range msg.GetDirectories() {
		sd, err := digest.FromProto(sub.GetDigest())
		if err != nil {
			return withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", sub.GetName(), err))
		}
		if err := l.layOutSub(sd, filepath.Join(path, sub.GetName()), shared); err != nil {
			return err
		}
	}
	return nil
}

// layOutSub lays out the subdirectory d at path: from the directory cache
// when it can be shared (see reuse), else created.
func (l *layout) layOutSub(d digest.Digest, path string, shared bool) error {
	if shared || l.s.dirs == nil || !l.s.shareable(path) {
		return l.layOut(d, path, shared)
	}
	k := dirKey{fn: l.s.fn, d: d}
	place := strings.TrimPrefix(path, l.root+"/")
	lent, err := l.reuse(k, place, path)
	if err != nil {
		return err
	}
	lent.key, lent.path, lent.place = k, path, place
	var ok bool
	if lent.id, ok = subtreeIDOf(path); ok {
		l.lent = append(l.lent, lent)
	}
	return nil
}

// claim gives a directory to the action's user or, when shared, makes it
// searchable by that user whatever the worker's umask.
func (l *layout) claim(path string, shared bool) error {
	if shared {
		return os.Chmod(path, 0o755)
	}
	return l.s.own.give(path)
}

// shareable reports whether the directory at p holds neither an output
// nor the working directory, and lies in no output directory, so that the
// action needs no write there (the working directory's subdirectories are
// inputs like any other).
func (s *staging) shareable(p string) bool {
	holds := func(q string) bool { return q == p || strings.HasPrefix(q, p+"/") }
	if holds(s.workDir) {
		return false
	}
	for _, o := range s.outputs {
		if holds(o) || strings.HasPrefix(p, o+"/") {
			return false
		}
	}
	return true
}

// writable reports whether the action may change the input at p: it is
// one of the outputs, or lies under one.
func (s *staging) writable(p string) bool {
	if !s.link {
		return true
	}
	for _, o := range s.outputs {
		if p == o || strings.HasPrefix(p, o+"/") {
			return true
		}
	}
	return false
}

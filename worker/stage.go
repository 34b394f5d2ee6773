package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// stagedFile is a file of the input tree to write.
type stagedFile struct {
	path       string
	executable bool
}

// stageInputs writes the input tree rooted at rootDigest into dir: it
// fetches every Directory, refuses malformed ones before writing anything,
// lays out directories and symlinks, then fetches the files in batches. own
// (when not nil) is given the directories and files.
func stageInputs(ctx context.Context, store casStore, rootDigest digest.Digest, dir string, own *owner) error {
	dirs, err := store.GetTree(ctx, rootDigest)
	if err != nil {
		return fmt.Errorf("input tree: %w", missingAsPrecondition(err))
	}
	for d, msg := range dirs {
		if err := client.ValidateDirectory(msg); err != nil {
			return withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", d, err))
		}
	}
	if n := countNodes(dirs, rootDigest, map[digest.Digest]int{}); n > maxInputNodes {
		return withCode(codes.InvalidArgument, fmt.Errorf("input tree has %d nodes, more than %d", n, maxInputNodes))
	}
	l := &layout{dirs: dirs, files: map[digest.Digest][]stagedFile{}, own: own}
	if err := l.layOut(rootDigest, dir); err != nil {
		return err
	}
	if err := fetchFiles(ctx, store, l.files); err != nil {
		return err
	}
	return l.giveFiles()
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
	files map[digest.Digest][]stagedFile // to fetch, by content
	own   *owner
}

// layOut creates the directory d at path, its subdirectories and symlinks,
// and notes its files.
func (l *layout) layOut(d digest.Digest, path string) error {
	msg, ok := l.dirs[d]
	if !ok {
		return withCode(codes.FailedPrecondition, fmt.Errorf("input directory %s missing from the tree", d))
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	if err := l.own.give(path); err != nil {
		return err
	}
	for _, f := range msg.GetFiles() {
		fd, err := digest.FromProto(f.GetDigest())
		if err != nil {
			return withCode(codes.InvalidArgument, fmt.Errorf("input file %s: %w", f.GetName(), err))
		}
		l.files[fd] = append(l.files[fd], stagedFile{filepath.Join(path, f.GetName()), f.GetIsExecutable()})
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
		if err := l.layOut(sd, filepath.Join(path, sub.GetName())); err != nil {
			return err
		}
	}
	return nil
}

// giveFiles hands every staged file to the layout's owner, if any.
func (l *layout) giveFiles() error {
	if l.own == nil {
		return nil
	}
	for _, copies := range l.files {
		for _, f := range copies {
			if err := l.own.give(f.path); err != nil {
				return err
			}
		}
	}
	return nil
}

const (
	// largeFile is the size from which a file is streamed to disk on its own
	// rather than read into memory with others.
	largeFile = 4 << 20
	// batchBytes bounds the memory one ReadBlobs call may take.
	batchBytes = 16 << 20
	// parallelFetches bounds concurrent fetches of one action's inputs.
	parallelFetches = 4
)

// fetchFiles writes every file: small ones read in batches, large ones
// streamed by DownloadFile.
func fetchFiles(ctx context.Context, store casStore, files map[digest.Digest][]stagedFile) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelFetches)
	var batch []digest.Digest
	var size int64
	flush := func() {
		ds := batch
		g.Go(func() error { return fetchBatch(ctx, store, ds, files) })
		batch, size = nil, 0
	}
	for d, copies := range files {
		switch {
		case d.Size == 0:
			g.Go(func() error { return writeCopies(copies, nil) })
		case d.Size >= largeFile:
			g.Go(func() error { return fetchLarge(ctx, store, d, copies) })
		default:
			if size+d.Size > batchBytes {
				flush()
			}
			batch, size = append(batch, d), size+d.Size
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return g.Wait()
}

func fetchBatch(ctx context.Context, store casStore, ds []digest.Digest, files map[digest.Digest][]stagedFile) error {
	blobs, err := store.ReadBlobs(ctx, ds)
	if err != nil {
		return fmt.Errorf("fetch inputs: %w", missingAsPrecondition(err))
	}
	for _, d := range ds {
		data, ok := blobs[d]
		if !ok {
			return withCode(codes.FailedPrecondition, fmt.Errorf("missing input blob %s", d))
		}
		if err := writeCopies(files[d], data); err != nil {
			return err
		}
	}
	return nil
}

func fetchLarge(ctx context.Context, store casStore, d digest.Digest, copies []stagedFile) error {
	for _, f := range copies {
		if err := downloadNoFork(ctx, store, d, f); err != nil {
			return fmt.Errorf("fetch input %s: %w", f.path, missingAsPrecondition(err))
		}
	}
	return nil
}

// downloadNoFork fetches one large file while no fork can happen (see
// writeCopies).
func downloadNoFork(ctx context.Context, store casStore, d digest.Digest, f stagedFile) error {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	return store.DownloadFile(ctx, d, f.path, f.executable)
}

// writeCopies writes data to every file. A file open for writing while
// another goroutine forks would stay open in that child until it execs,
// and a program executed from it meanwhile fails with ETXTBSY
// (golang/go#22315): not only argv[0], which startAndWait retries, but
// also what the command itself executes (gcc's cc1, in a hermetic action
// that brought its toolchain). So files are written under the read side of
// syscall.ForkLock, which every fork of the os/exec package takes.
func writeCopies(copies []stagedFile, data []byte) error {
	for _, f := range copies {
		mode := os.FileMode(0o644)
		if f.executable {
			mode = 0o755
		}
		syscall.ForkLock.RLock()
		err := os.WriteFile(f.path, data, mode)
		syscall.ForkLock.RUnlock()
		if err != nil {
			return err
		}
		if err := os.Chmod(f.path, mode); err != nil { // umask-independent
			return err
		}
	}
	return nil
}

package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/digest"
)

const (
	// largeFile is the size from which a file is streamed to disk on its own
	// rather than read into memory with others.
	largeFile = 4 << 20
	// batchBytes bounds the memory one ReadBlobs call may take.
	batchBytes = 16 << 20
	// parallelFetches bounds concurrent fetches of one action's inputs.
	parallelFetches = 4
)

// placeFiles puts every file of the input tree in place: it pins what the
// cache holds (checking each is sound), fetches the rest into the cache,
// then links (or copies) each file from there.
func (s *staging) placeFiles(ctx context.Context, files map[fileKey][]stagedFile) error {
	keys := make([]fileKey, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	have, missing := s.cache.acquire(keys)
	defer func() { s.cache.release(have) }()
	for k, f := range have {
		if !s.cache.sound(f) {
			s.cache.drop(f)
			delete(have, k)
			missing = append(missing, k)
		}
	}
	if err := s.fetch(ctx, missing, have); err != nil {
		return err
	}
	for k, copies := range files {
		for _, c := range copies {
			if err := s.place(have[k], c); err != nil {
				return fmt.Errorf("stage %s: %w", c.path, err)
			}
		}
	}
	return nil
}

// place links the cached file f at c.path, or copies it there when the
// action may write it or no link can be made.
func (s *staging) place(f *cachedFile, c stagedFile) error {
	if !c.writable {
		err := os.Link(f.path, c.path)
		if !linkRefused(err) {
			return err
		}
		return copyFile(f.path, c.path, fileMode(f.key.executable))
	}
	mode := os.FileMode(0o644)
	if f.key.executable {
		mode = 0o755
	}
	if err := copyFile(f.path, c.path, mode); err != nil {
		return err
	}
	return s.own.give(c.path)
}

// linkRefused reports whether a link failed for want of links on this file
// system (too many to one file, another device, none at all), so that a
// copy should stand in.
func linkRefused(err error) bool {
	for _, e := range []error{syscall.EMLINK, syscall.EXDEV, syscall.EPERM, syscall.EOPNOTSUPP} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// copyFile copies src to a new file dst with mode (whatever the umask),
// with no fork under way (see noFork).
func copyFile(src, dst string, mode os.FileMode) error {
	defer noFork()()
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(dst, mode)
	}
	return err
}

// fetch brings the missing files into the cache and adds them, pinned, to
// have: small ones read in batches, large ones streamed to disk. Both
// modes of one content share a fetch.
func (s *staging) fetch(ctx context.Context, missing []fileKey, have map[fileKey]*cachedFile) error {
	byDigest := map[digest.Digest][]fileKey{}
	for _, k := range missing {
		byDigest[k.d] = append(byDigest[k.d], k)
	}
	var mu sync.Mutex
	add := func(f *cachedFile) {
		mu.Lock()
		have[f.key] = f
		mu.Unlock()
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelFetches)
	if local, ok := s.store.(localCAS); ok {
		for _, keys := range byDigest {
			g.Go(func() error { return s.copyLocal(ctx, local, keys, add) })
		}
		return g.Wait()
	}
	var batch []digest.Digest
	var size int64
	flush := func() {
		ds := batch
		g.Go(func() error { return s.fetchBatch(ctx, ds, byDigest, add) })
		batch, size = nil, 0
	}
	for d, keys := range byDigest {
		if d.Size >= largeFile {
			g.Go(func() error { return s.fetchLarge(ctx, keys, add) })
			continue
		}
		if size+d.Size > batchBytes {
			flush()
		}
		batch, size = append(batch, d), size+d.Size
	}
	if len(batch) > 0 {
		flush()
	}
	return g.Wait()
}

func (s *staging) fetchBatch(ctx context.Context, ds []digest.Digest, keys map[digest.Digest][]fileKey, add func(*cachedFile)) error {
	blobs, err := s.store.ReadBlobs(ctx, ds)
	if err != nil {
		return fmt.Errorf("fetch inputs: %w", missingAsPrecondition(err))
	}
	for _, d := range ds {
		data, ok := blobs[d]
		if !ok {
			return withCode(codes.FailedPrecondition, fmt.Errorf("missing input blob %s", d))
		}
		for _, k := range keys[d] {
			f, err := s.cache.insertBytes(k, data)
			if err != nil {
				return err
			}
			add(f)
		}
	}
	return nil
}

func (s *staging) fetchLarge(ctx context.Context, keys []fileKey, add func(*cachedFile)) error {
	for _, k := range keys {
		tmp, err := s.cache.tempPath(k)
		if err != nil {
			return err
		}
		unlock := noFork()
		err = s.store.DownloadFile(ctx, k.d, tmp, k.executable)
		unlock()
		if err != nil {
			os.Remove(tmp)
			return fmt.Errorf("fetch input %s: %w", k.d, missingAsPrecondition(err))
		}
		f, err := s.cache.adopt(k, tmp)
		if err != nil {
			return err
		}
		add(f)
	}
	return nil
}

// copyLocal streams a blob from the server's own store into the cache,
// which hashes it on the way.
func (s *staging) copyLocal(ctx context.Context, local localCAS, keys []fileKey, add func(*cachedFile)) error {
	for _, k := range keys {
		r, err := local.open(ctx, k.d)
		if err != nil {
			return fmt.Errorf("fetch input %s: %w", k.d, missingAsPrecondition(err))
		}
		f, err := s.cache.insertFrom(k, r)
		r.Close()
		if err != nil {
			return err
		}
		add(f)
	}
	return nil
}

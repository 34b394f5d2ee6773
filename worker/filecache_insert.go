package worker

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/digest"
)

// fileMode is the mode of a cached file: read-only for everyone, so that
// neither the action's user nor anyone else may write it through a link.
func fileMode(executable bool) fs.FileMode {
	if executable {
		return 0o555
	}
	return 0o444
}

// insertBytes adds a blob to the cache, checking it against its digest
// first, and returns it pinned.
func (c *fileCache) insertBytes(k fileKey, data []byte) (*cachedFile, error) {
	if got := k.fn.FromBytes(data); got != k.d {
		return nil, withCode(codes.DataLoss, fmt.Errorf("input blob %s arrived as %s", k.d, got))
	}
	defer noFork()()
	f, err := c.create(k)
	if err != nil {
		return nil, err
	}
	_, err = f.Write(data)
	return c.finish(k, f, err)
}

// insertFrom adds the blob r yields, hashing it as it is written, and
// returns it pinned.
func (c *fileCache) insertFrom(k fileKey, r io.Reader) (*cachedFile, error) {
	defer noFork()()
	f, err := c.create(k)
	if err != nil {
		return nil, err
	}
	v := k.fn.NewVerifier(k.d)
	if _, err = io.Copy(io.MultiWriter(f, v), r); err == nil {
		if err = v.Check(); err != nil {
			err = withCode(codes.DataLoss, fmt.Errorf("input blob %s: %w", k.d, err))
		}
	}
	return c.finish(k, f, err)
}

// create opens a temporary file for k beside where k goes.
func (c *fileCache) create(k fileKey) (*os.File, error) {
	f, err := createBeside(c.pathOf(k), ".tmp-")
	if err != nil {
		return nil, fmt.Errorf("file cache: %w", err)
	}
	if err := f.Chmod(fileMode(k.executable)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("file cache: %w", err)
	}
	return f, nil
}

// finish closes the temporary file f holding k and, unless writing it
// failed (err), indexes it.
func (c *fileCache) finish(k fileKey, f *os.File, err error) (*cachedFile, error) {
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var cf *cachedFile
		if cf, err = c.index(k, f.Name()); err == nil {
			return cf, nil
		}
	}
	os.Remove(f.Name())
	return nil, err
}

// index renames the complete temporary file tmp (made beside k's place
// by createBeside) into place as k and
// returns it pinned. When another staging indexed k meanwhile, tmp goes
// and that file is returned.
func (c *fileCache) index(k fileKey, tmp string) (*cachedFile, error) {
	fi, err := os.Stat(tmp)
	if err != nil {
		return nil, fmt.Errorf("file cache: %w", err)
	}
	p := c.pathOf(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[k]; ok {
		os.Remove(tmp)
		f.pins++
		c.lru.MoveToFront(f.elem)
		return f, nil
	}
	if err := os.Rename(tmp, p); err != nil {
		return nil, fmt.Errorf("file cache: %w", err)
	}
	f := &cachedFile{key: k, path: p, mtime: fi.ModTime(), pins: 1}
	f.elem = c.lru.PushFront(f)
	c.files[k] = f
	c.size += k.d.Size
	return f, nil
}

// sound reports whether the cached file f is still what was inserted: a
// stat compares its type, mode, size and modification time (a write through
// any link changes the last), and one hit in sampleEvery hashes it again.
func (c *fileCache) sound(f *cachedFile) bool {
	fi, err := os.Lstat(f.path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != fileMode(f.key.executable) ||
		fi.Size() != f.key.d.Size || !fi.ModTime().Equal(f.mtime) {
		return false
	}
	if !c.sample() {
		return true
	}
	d, err := f.key.fn.FromFile(f.path)
	return err == nil && d == f.key.d
}

// sample reports whether this use of a cached file, or of a link to one,
// is the one in sampleEvery that hashes it again.
func (c *fileCache) sample() bool {
	return c.sampleEvery != 0 && c.hits.Add(1)%c.sampleEvery == 0
}

// createBeside creates a temporary file (named from prefix) in p's
// directory, making the directory if need be. index then renames it within
// that directory: a rename from one directory to another takes the file
// system's rename lock, for which every worker and store on it queue.
func createBeside(p, prefix string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(p), prefix)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
			f, err = os.CreateTemp(filepath.Dir(p), prefix)
		}
	}
	return f, err
}

// tempPath names a new temporary file beside where k goes, for a download
// to write (DownloadFile renames its own temporary file over it).
func (c *fileCache) tempPath(k fileKey) (string, error) {
	f, err := createBeside(c.pathOf(k), ".dl-")
	if err != nil {
		return "", fmt.Errorf("file cache: %w", err)
	}
	f.Close()
	return f.Name(), nil
}

// adopt indexes the file downloaded at tmp (from tempPath) as k, after
// hashing it, and returns it pinned.
func (c *fileCache) adopt(k fileKey, tmp string) (*cachedFile, error) {
	err := os.Chmod(tmp, fileMode(k.executable))
	if err == nil {
		var got digest.Digest
		if got, err = k.fn.FromFile(tmp); err == nil && got != k.d {
			err = withCode(codes.DataLoss, fmt.Errorf("input blob %s arrived as %s", k.d, got))
		}
	}
	if err == nil {
		var f *cachedFile
		if f, err = c.index(k, tmp); err == nil {
			return f, nil
		}
	}
	os.Remove(tmp)
	return nil, err
}

// noFork holds off every fork (os/exec takes syscall.ForkLock) while a
// file is open for writing, and returns the release. A child forked
// meanwhile would keep the file open until it execs, and a program
// executed from that file (or a hard link of it) in that instant fails
// with ETXTBSY (golang/go#22315): not only argv[0], which startAndWait
// retries, but what the command executes itself (gcc's cc1, in a hermetic
// action that brought its toolchain).
func noFork() (release func()) {
	syscall.ForkLock.RLock()
	return syscall.ForkLock.RUnlock
}

package localcache

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rexbuild/rex/digest"
)

// Blobs are named by their SHA-256 digest: the rex front end, which copies
// them out on every local hit, leaves BLAKE3 out (see digest/blake3.go),
// and with the CPU's SHA extensions an object's hash costs little more.
var blobFunction = digest.SHA256

// AddFile stores a copy of the file at src as a blob and returns its
// digest (blobFunction). The digest is of the copy, so a file that changes while
// it is copied is never kept under another content's name.
func (s *Store) AddFile(src string) (digest.Digest, error) {
	if s == nil {
		return digest.Digest{}, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return digest.Digest{}, err
	}
	defer in.Close()
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return digest.Digest{}, err
	}
	tmp, err := os.CreateTemp(tmpDir, ".tmp-*")
	if err != nil {
		return digest.Digest{}, err
	}
	defer os.Remove(tmp.Name())
	h := blobFunction.NewHash()
	n, werr := io.Copy(io.MultiWriter(tmp, h), in)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return digest.Digest{}, werr
	}
	d, err := digest.New(fmt.Sprintf("%x", h.Sum(nil)), n)
	if err != nil {
		return digest.Digest{}, err
	}
	p := s.Path(Blobs, d.Hash)
	if _, err := os.Stat(p); err == nil {
		s.Touch(Blobs, d.Hash)
		return d, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return digest.Digest{}, err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return digest.Digest{}, err
	}
	return d, s.account(shardOf(d.Hash), n)
}

// CopyBlob writes the blob d to a new temporary file in dir with mode,
// checking its content on the way: a damaged blob is removed and reported,
// and nothing is left behind. It returns the temporary file's path.
func (s *Store) CopyBlob(d digest.Digest, dir string, mode os.FileMode) (string, error) {
	p := s.Path(Blobs, d.Hash)
	in, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, ".rex-*")
	if err != nil {
		return "", err
	}
	v := blobFunction.NewVerifier(d)
	werr := out.Chmod(mode)
	if werr == nil {
		_, werr = io.Copy(io.MultiWriter(out, v), in)
	}
	if cerr := out.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = v.Check()
		if werr != nil {
			os.Remove(p)
		}
	}
	if werr != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("local cache blob %s: %w", d, werr)
	}
	s.Touch(Blobs, d.Hash)
	return out.Name(), nil
}

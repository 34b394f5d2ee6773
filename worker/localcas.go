package worker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// localCAS is the casStore of a worker embedded in the server: it reads and
// writes the server's own store, with no gRPC, serialisation or copy
// through a socket in between. Blobs are shared by content across
// instances, so one view per digest function serves every lease.
type localCAS struct {
	blobs cas.BlobStore
	adopt func(ctx context.Context, k cas.Key, path string) error // may be nil
	fn    digest.Function
}

func (l localCAS) key(d digest.Digest) cas.Key { return cas.Key{Function: l.fn, Digest: d} }

// open reads a blob; staging streams it into the file cache, which hashes
// it on the way.
func (l localCAS) open(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	return l.blobs.Get(ctx, l.key(d), 0)
}

func (l localCAS) ReadBlob(ctx context.Context, d digest.Digest) ([]byte, error) {
	r, err := l.open(ctx, d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d, err)
	}
	if got := l.fn.FromBytes(b); got != d {
		return nil, withCode(codes.DataLoss, fmt.Errorf("blob %s reads as %s", d, got))
	}
	return b, nil
}

func (l localCAS) ReadBlobs(ctx context.Context, ds []digest.Digest) (map[digest.Digest][]byte, error) {
	out := make(map[digest.Digest][]byte, len(ds))
	for _, d := range ds {
		b, err := l.ReadBlob(ctx, d)
		if err != nil {
			return nil, err
		}
		out[d] = b
	}
	return out, nil
}

func (l localCAS) DownloadFile(ctx context.Context, d digest.Digest, path string, executable bool) error {
	b, err := l.ReadBlob(ctx, d)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, atomicfile.OutputMode(executable))
}

// GetTree reads the Directory messages under root, each once.
func (l localCAS) GetTree(ctx context.Context, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	return walkTree(root, func(d digest.Digest) (*repb.Directory, error) {
		b, err := l.ReadBlob(ctx, d)
		if err != nil {
			return nil, err
		}
		msg := &repb.Directory{}
		if err := proto.Unmarshal(b, msg); err != nil {
			return nil, withCode(codes.InvalidArgument, fmt.Errorf("directory %s: %w", d, err))
		}
		return msg, nil
	})
}

// Upload stores each blob: an output file is moved into the store when it
// can be (its digest is the worker's own, computed as it collected it),
// anything else is put and verified by the store.
func (l localCAS) Upload(ctx context.Context, blobs []client.Blob) error {
	for _, b := range blobs {
		if err := l.put(ctx, b); err != nil {
			return fmt.Errorf("store %s: %w", b.Digest, err)
		}
	}
	return nil
}

func (l localCAS) put(ctx context.Context, b client.Blob) error {
	if b.Path == "" {
		return l.blobs.Put(ctx, l.key(b.Digest), bytes.NewReader(b.Data))
	}
	if l.adopt != nil && l.adopt(ctx, l.key(b.Digest), b.Path) == nil {
		return nil
	}
	f, err := os.Open(b.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	return l.blobs.Put(ctx, l.key(b.Digest), f)
}

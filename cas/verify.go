package cas

import (
	"context"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// NewVerifyingStore checks on Put that the data matches its key's size and
// hash before the inner store commits it. A content-addressed store that
// accepts a blob under the wrong digest poisons every later reader, so
// nothing reaches the inner stores unchecked. The inner store must read r to
// EOF and discard the blob when a read fails; the mismatch surfaces as a
// read error carrying codes.InvalidArgument.
func NewVerifyingStore(inner BlobStore) BlobStore {
	return &verifyingStore{BlobStore: inner}
}

type verifyingStore struct {
	BlobStore
}

func (s *verifyingStore) Put(ctx context.Context, k Key, r io.Reader) error {
	if !validKey(k) {
		return status.Errorf(codes.InvalidArgument, "blob %s: invalid digest or function", k)
	}
	return s.BlobStore.Put(ctx, k, &verifyingReader{r: r, k: k, v: k.Function.NewVerifier(k.Digest)})
}

// verifyingReader passes data through and fails the read that would end the
// stream if the content does not match, or as soon as it is too long.
type verifyingReader struct {
	r    io.Reader
	k    Key
	v    *digest.Verifier
	n    int64
	done error
}

func (vr *verifyingReader) Read(p []byte) (int, error) {
	if vr.done != nil {
		return 0, vr.done
	}
	n, err := vr.r.Read(p)
	vr.n += int64(n)
	vr.v.Write(p[:n])
	if vr.n > vr.k.Digest.Size {
		vr.done = status.Errorf(codes.InvalidArgument, "blob %s: more than %d bytes", vr.k, vr.k.Digest.Size)
		return 0, vr.done
	}
	if err == io.EOF {
		if cerr := vr.v.Check(); cerr != nil {
			vr.done = status.Errorf(codes.InvalidArgument, "%s: %v", vr.k.Function, cerr)
			return 0, vr.done
		}
		vr.done = io.EOF
	}
	return n, err
}

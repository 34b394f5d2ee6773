// Package cas owns the server's storage: content-addressed blobs and action
// results, on disk by default or in memory for tests, with decorators that
// verify digests, inject the empty blob, and bound the size by eviction.
package cas

import (
	"context"
	"io"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/digest"
)

// Key names a blob under one digest function. SHA-256 and BLAKE3 hashes have
// the same length, so the function is part of the key.
type Key struct {
	Function digest.Function
	Digest   digest.Digest
}

// String formats the key as "function/hash/size".
func (k Key) String() string { return k.Function.Name() + "/" + k.Digest.String() }

// BlobStore stores blobs by digest. Errors carry gRPC status codes:
// NotFound for a missing blob, InvalidArgument for data that does not match
// its digest, ResourceExhausted when the store cannot make room.
type BlobStore interface {
	// Get opens a blob for reading from offset (0 for the whole blob).
	Get(ctx context.Context, k Key, offset int64) (io.ReadCloser, error)
	// Put stores a blob; r yields exactly k.Digest.Size bytes.
	Put(ctx context.Context, k Key, r io.Reader) error
	// FindMissing returns the keys not stored, and refreshes the others so
	// that eviction keeps them.
	FindMissing(ctx context.Context, keys []Key) ([]Key, error)
}

// ActionKey names an action result: the action's key under one instance
// name. Blobs are shared by content across instances, but results are not,
// so that two instances never answer each other's actions.
type ActionKey struct {
	Instance string
	Key
}

// ActionCache maps action digests to results.
type ActionCache interface {
	// Get returns the result of an action, or NotFound. It never returns a
	// result whose output blobs are gone, and it refreshes every blob the
	// result references.
	Get(ctx context.Context, action ActionKey) (*repb.ActionResult, error)
	// Put stores a result after checking it is well formed.
	Put(ctx context.Context, action ActionKey, result *repb.ActionResult) error
}

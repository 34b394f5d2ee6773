package cas

import (
	"context"
	"fmt"
	"io"
	"sync"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// NewActionCache returns an action cache whose results reference blobs in
// blobs and live in memory; Disk.ActionCache keeps them on disk, under the
// store's bound.
//
// The cache is relation-aware: Get treats a result as a miss when any blob
// it references is gone (output files, output trees and every file inside
// them, stdout and stderr), and refreshes them all in the blob store so
// eviction keeps a hit's outputs alive. Put refuses malformed results and
// results whose blobs are not stored.
func NewActionCache(blobs BlobStore) ActionCache {
	return &actionCache{blobs: blobs, results: &memoryResults{m: map[ActionKey][]byte{}}}
}

// resultStore keeps serialised results by action key.
type resultStore interface {
	load(k ActionKey) ([]byte, error) // NotFound when absent
	store(k ActionKey, b []byte) error
}

type actionCache struct {
	blobs   BlobStore
	results resultStore
}

func (ac *actionCache) Get(ctx context.Context, action ActionKey) (*repb.ActionResult, error) {
	b, err := ac.results.load(action)
	if err != nil {
		return nil, err
	}
	r := &repb.ActionResult{}
	if err := proto.Unmarshal(b, r); err != nil {
		return nil, status.Errorf(codes.NotFound, "action %s: stored result unreadable: %v", action, err)
	}
	if err := ac.checkBlobs(ctx, action, r); err != nil {
		if status.Code(err) == codes.FailedPrecondition || status.Code(err) == codes.InvalidArgument {
			return nil, status.Errorf(codes.NotFound, "action %s: %v", action, status.Convert(err).Message())
		}
		return nil, err
	}
	return r, nil
}

func (ac *actionCache) Put(ctx context.Context, action ActionKey, r *repb.ActionResult) error {
	if err := validateResult(r); err != nil {
		return fmt.Errorf("action %s: %w", action, err)
	}
	if err := ac.checkBlobs(ctx, action, r); err != nil {
		return err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(r)
	if err != nil {
		return StatusWrap(err, "action %s", action)
	}
	return ac.results.store(action, b)
}

// checkBlobs confirms (and, through FindMissing, refreshes) every blob r
// references, including the files inside its output trees. A missing blob
// is FailedPrecondition; a malformed digest is InvalidArgument.
func (ac *actionCache) checkBlobs(ctx context.Context, action ActionKey, r *repb.ActionResult) error {
	direct, trees, err := resultRefs(action.Function, r)
	if err != nil {
		return err
	}
	if err := ac.requirePresent(ctx, action, direct); err != nil {
		return err
	}
	var inner []Key
	for _, t := range trees {
		files, err := ac.treeFiles(ctx, t)
		if err != nil {
			return err
		}
		inner = append(inner, files...)
	}
	return ac.requirePresent(ctx, action, inner)
}

func (ac *actionCache) requirePresent(ctx context.Context, action ActionKey, keys []Key) error {
	if len(keys) == 0 {
		return nil
	}
	missing, err := ac.blobs.FindMissing(ctx, keys)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return status.Errorf(codes.FailedPrecondition, "action %s: %d referenced blobs missing, e.g. %s", action, len(missing), missing[0])
	}
	return nil
}

// treeFiles reads an output Tree and returns the keys of every file in it.
func (ac *actionCache) treeFiles(ctx context.Context, t Key) ([]Key, error) {
	rc, err := ac.blobs.Get(ctx, t, 0)
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return nil, status.Errorf(codes.FailedPrecondition, "output tree %s missing", t)
		}
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, StatusWrap(err, "read tree %s", t)
	}
	tree := &repb.Tree{}
	if err := proto.Unmarshal(b, tree); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "output tree %s: %v", t, err)
	}
	var keys []Key
	for _, d := range append([]*repb.Directory{tree.GetRoot()}, tree.GetChildren()...) {
		for _, f := range d.GetFiles() {
			k, err := keyOf(t.Function, f.GetDigest(), "file "+f.GetName()+" in tree "+t.String())
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// memoryResults keeps results in a map.
type memoryResults struct {
	mu sync.RWMutex
	m  map[ActionKey][]byte
}

func (m *memoryResults) load(k ActionKey) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.m[k]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "action %s not in cache", k.Key)
	}
	return b, nil
}

func (m *memoryResults) store(k ActionKey, b []byte) error {
	m.mu.Lock()
	m.m[k] = b
	m.mu.Unlock()
	return nil
}

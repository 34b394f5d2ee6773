package worker

import (
	"context"
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// treeCache keeps the Directory messages of recent input trees, parsed and
// validated (see cas.Directories). The next action whose tree names one
// skips reading the blob, hashing it, parsing it and checking every digest
// in it, which for a build's include trees was most of fetching its input
// tree. An embedded worker shares the server's, which Execute's check of
// the same tree has just filled.
type treeCache = cas.Directories

// getTree returns every Directory under root, each validated. A worker
// embedded in the server reads them one by one from the cache, or from the
// store when the cache lacks one; any other worker asks its server for the
// whole tree at once (GetTree), as a round trip per Directory would cost
// more than the cache saves.
func getTree(ctx context.Context, c *treeCache, store casStore, fn digest.Function, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	local, ok := store.(localCAS)
	if !ok || c == nil {
		return fetchTree(ctx, store, root)
	}
	return walkTree(root, func(d digest.Digest) (*repb.Directory, error) {
		return cachedDirectory(ctx, c, local, cas.Key{Function: fn, Digest: d})
	})
}

// walkTree collects the Directory messages under root, each once, as dir
// reads them.
func walkTree(root digest.Digest, dir func(digest.Digest) (*repb.Directory, error)) (map[digest.Digest]*repb.Directory, error) {
	dirs := map[digest.Digest]*repb.Directory{}
	todo := []digest.Digest{root}
	for len(todo) > 0 {
		d := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if _, seen := dirs[d]; seen {
			continue
		}
		msg, err := dir(d)
		if err != nil {
			return nil, err
		}
		dirs[d] = msg
		for _, sub := range msg.GetDirectories() {
			sd, err := digest.FromProto(sub.GetDigest())
			if err != nil {
				return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", sub.GetName(), err))
			}
			todo = append(todo, sd)
		}
	}
	return dirs, nil
}

// cachedDirectory returns the Directory k, from the cache or else read from the
// store (which checks its digest), parsed, validated and kept.
func cachedDirectory(ctx context.Context, c *treeCache, local localCAS, k cas.Key) (*repb.Directory, error) {
	if msg, ok := c.Get(k); ok {
		return msg, nil
	}
	b, err := local.ReadBlob(ctx, k.Digest)
	if err != nil {
		return nil, fmt.Errorf("input tree: %w", missingAsPrecondition(err))
	}
	msg := &repb.Directory{}
	if err := proto.Unmarshal(b, msg); err != nil {
		return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", k.Digest, err))
	}
	if err := client.ValidateDirectory(msg); err != nil {
		return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", k.Digest, err))
	}
	c.Add(k, msg, k.Digest.Size)
	return msg, nil
}

// fetchTree asks the store for the whole tree and validates it.
func fetchTree(ctx context.Context, store casStore, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	dirs, err := store.GetTree(ctx, root)
	if err != nil {
		return nil, fmt.Errorf("input tree: %w", missingAsPrecondition(err))
	}
	for d, msg := range dirs {
		if err := client.ValidateDirectory(msg); err != nil {
			return nil, withCode(codes.InvalidArgument, fmt.Errorf("input directory %s: %w", d, err))
		}
	}
	return dirs, nil
}

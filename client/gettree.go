package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
)

// GetTree returns every Directory reachable from root, keyed by digest and
// each validated. It uses the GetTree RPC, paging as the server asks, and
// falls back to reading Directory blobs level by level if the server does not
// implement it. A Directory the tree needs but the answer lacks is an error.
func (c *Client) GetTree(ctx context.Context, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	fn, err := c.Function(ctx)
	if err != nil {
		return nil, err
	}
	dirs, err := c.getTreeRPC(ctx, fn, root)
	if err == nil && checkTree(dirs, root) != nil {
		// GetTree answers carry Directories without their digests, which
		// rex recomputes; a server that encodes them differently would look
		// incomplete. Reading the blobs by digest settles it.
		err = status.Error(codes.Unimplemented, "incomplete GetTree answer")
	}
	if status.Code(err) == codes.Unimplemented {
		dirs, err = c.getTreeByLevel(ctx, root)
		if err == nil {
			err = checkTree(dirs, root)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("get tree %s: %w", root, err)
	}
	return dirs, nil
}

func (c *Client) getTreeRPC(ctx context.Context, fn digest.Function, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	dirs := map[digest.Digest]*repb.Directory{}
	token := ""
	for {
		var next string
		err := c.retry(ctx, c.casConn, c.cfg.RPCTimeout, func(ctx context.Context) error {
			stream, err := c.cas.GetTree(ctx, &repb.GetTreeRequest{
				InstanceName: c.cfg.Instance, RootDigest: root.Proto(),
				PageToken: token, DigestFunction: fn.Proto(),
			})
			if err != nil {
				return err
			}
			next, err = readTreePages(stream, fn, dirs)
			return err
		})
		if err != nil {
			return nil, err
		}
		if next == "" {
			return dirs, nil
		}
		token = next
	}
}

// readTreePages adds the Directories of one GetTree stream to dirs and
// returns the token of the page the stream stopped before, if any.
func readTreePages(stream repb.ContentAddressableStorage_GetTreeClient, fn digest.Function, dirs map[digest.Digest]*repb.Directory) (string, error) {
	next := ""
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return next, nil
		}
		if err != nil {
			return "", err
		}
		for _, d := range resp.GetDirectories() {
			dg, _, err := fn.FromMessage(d)
			if err != nil {
				return "", err
			}
			dirs[dg] = d
		}
		next = resp.GetNextPageToken()
	}
}

// getTreeByLevel reads Directory blobs breadth first with batched reads.
func (c *Client) getTreeByLevel(ctx context.Context, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	dirs := map[digest.Digest]*repb.Directory{}
	level := []digest.Digest{root}
	for len(level) > 0 {
		blobs, err := c.ReadBlobs(ctx, level)
		if err != nil {
			return nil, err
		}
		var next []digest.Digest
		for d, b := range blobs {
			dir := &repb.Directory{}
			if err := proto.Unmarshal(b, dir); err != nil {
				return nil, status.Errorf(codes.DataLoss, "directory %s: %v", d, err)
			}
			dirs[d] = dir
			for _, child := range dir.GetDirectories() {
				cd, err := digest.FromProto(child.GetDigest())
				if err != nil {
					return nil, status.Errorf(codes.InvalidArgument, "directory %s: %v", d, err)
				}
				if _, ok := dirs[cd]; !ok {
					next = append(next, cd)
				}
			}
		}
		level = next
	}
	return dirs, nil
}

// checkTree validates every Directory reachable from root and checks that
// all of them are present.
func checkTree(dirs map[digest.Digest]*repb.Directory, root digest.Digest) error {
	seen := map[digest.Digest]bool{}
	stack := []digest.Digest{root}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[d] {
			continue
		}
		seen[d] = true
		dir, ok := dirs[d]
		if !ok {
			return status.Errorf(codes.DataLoss, "directory %s missing from the tree", d)
		}
		if err := ValidateDirectory(dir); err != nil {
			return fmt.Errorf("directory %s: %w", d, err)
		}
		for _, child := range dir.GetDirectories() {
			cd, _ := digest.FromProto(child.GetDigest()) // validated above
			stack = append(stack, cd)
		}
	}
	return nil
}

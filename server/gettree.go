package server

import (
	"strconv"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
)

// maxTreePage caps the directories in one GetTree response.
const maxTreePage = 1000

// GetTree walks the tree breadth first, each directory once, in an order
// fixed by the tree's content, so a page token (the count of directories
// already returned) resumes the same walk. Missing subtrees are omitted, as
// the spec allows; a missing root is NotFound.
func (s *casServer) GetTree(req *repb.GetTreeRequest, stream repb.ContentAddressableStorage_GetTreeServer) error {
	ctx := stream.Context()
	root, err := requestKey(req.GetDigestFunction(), req.GetRootDigest())
	if err != nil {
		return err
	}
	skip := 0
	if t := req.GetPageToken(); t != "" {
		if skip, err = strconv.Atoi(t); err != nil || skip < 0 {
			return status.Errorf(codes.InvalidArgument, "bad page_token %q", t)
		}
	}
	pageSize := int(req.GetPageSize())
	if pageSize <= 0 || pageSize > maxTreePage {
		pageSize = maxTreePage
	}
	queue := []cas.Key{root}
	seen := map[cas.Key]bool{root: true}
	var page []*repb.Directory
	for i := 0; len(queue) > 0; i++ {
		k := queue[0]
		queue = queue[1:]
		b, err := readAll(ctx, s.blobs, k)
		if status.Code(err) == codes.NotFound && k != root {
			i--
			continue
		}
		if err != nil {
			return err
		}
		dir := &repb.Directory{}
		if err := proto.Unmarshal(b, dir); err != nil {
			return status.Errorf(codes.InvalidArgument, "blob %s is not a Directory: %v", k, err)
		}
		for _, sub := range dir.GetDirectories() {
			sk, err := key(root.Function, sub.GetDigest())
			if err != nil {
				return status.Errorf(codes.InvalidArgument, "directory %s, entry %q: %v", k, sub.GetName(), err)
			}
			if !seen[sk] {
				seen[sk] = true
				queue = append(queue, sk)
			}
		}
		if i < skip {
			continue
		}
		page = append(page, dir)
		if len(page) == pageSize && len(queue) > 0 {
			resp := &repb.GetTreeResponse{Directories: page, NextPageToken: strconv.Itoa(i + 1)}
			if err := stream.Send(resp); err != nil {
				return err
			}
			page = nil
		}
	}
	return stream.Send(&repb.GetTreeResponse{Directories: page})
}

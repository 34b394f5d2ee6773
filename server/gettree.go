package server

import (
	"strconv"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
)

// maxTreePage caps the directories in one GetTree response.
const maxTreePage = 1000

// GetTree walks the tree breadth first, each directory once, in an order
// fixed by the tree's content. A page token is "{position}.{cursor}": the
// position in that order, and the walk that handed it out, kept in
// treeCursors so that resuming continues where it stopped instead of
// re-reading the tree from its root. A token whose walk was dropped still
// works: the walk is redone up to the position, once. Missing subtrees are
// omitted, as the spec allows; a missing root is NotFound.
func (s *casServer) GetTree(req *repb.GetTreeRequest, stream repb.ContentAddressableStorage_GetTreeServer) error {
	root, err := requestKey(req.GetDigestFunction(), req.GetRootDigest())
	if err != nil {
		return err
	}
	pos, id, err := parseTreeToken(req.GetPageToken())
	if err != nil {
		return err
	}
	pageSize := int(req.GetPageSize())
	if pageSize <= 0 || pageSize > maxTreePage {
		pageSize = maxTreePage
	}
	w, id := s.trees.get(id, root)
	w.mu.Lock()
	defer w.mu.Unlock()
	return s.sendPages(stream, w, pos, pageSize, id)
}

// sendPages streams the directories from position pos on, pageSize a page.
func (s *casServer) sendPages(stream repb.ContentAddressableStorage_GetTreeServer, w *treeWalk, pos, pageSize int, id string) error {
	ctx := stream.Context()
	var page []*repb.Directory
	for j := 0; j < len(w.order); j++ {
		if j < pos && j < w.expanded {
			continue // returned on an earlier page, children already known
		}
		k := w.order[j]
		b, err := readAll(ctx, s.blobs, k)
		if status.Code(err) == codes.NotFound && j > 0 {
			if j == w.expanded {
				w.expanded++ // a missing subtree has nothing to expand
			}
			continue
		}
		if err != nil {
			return err
		}
		dir := &repb.Directory{}
		if err := proto.Unmarshal(b, dir); err != nil {
			return status.Errorf(codes.InvalidArgument, "blob %s is not a Directory: %v", k, err)
		}
		if j == w.expanded {
			if err := w.expand(k, dir); err != nil {
				return err
			}
		}
		if j < pos {
			continue
		}
		page = append(page, dir)
		if len(page) == pageSize && j+1 < len(w.order) {
			token := strconv.Itoa(j+1) + "." + id
			if err := stream.Send(&repb.GetTreeResponse{Directories: page, NextPageToken: token}); err != nil {
				return err
			}
			page = nil
		}
	}
	return stream.Send(&repb.GetTreeResponse{Directories: page})
}

func parseTreeToken(t string) (pos int, id string, err error) {
	if t == "" {
		return 0, "", nil
	}
	p, id, _ := strings.Cut(t, ".")
	if pos, err = strconv.Atoi(p); err != nil || pos < 0 {
		return 0, "", status.Errorf(codes.InvalidArgument, "bad page_token %q", t)
	}
	return pos, id, nil
}

// expand appends dir's unseen subdirectories to the walk's order.
func (w *treeWalk) expand(k cas.Key, dir *repb.Directory) error {
	for _, sub := range dir.GetDirectories() {
		sk, err := key(w.root.Function, sub.GetDigest())
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "directory %s, entry %q: %v", k, sub.GetName(), err)
		}
		if !w.seen[sk] {
			w.seen[sk] = true
			w.order = append(w.order, sk)
		}
	}
	w.expanded++
	return nil
}

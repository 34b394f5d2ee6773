package server

import (
	"context"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// acServer is the ActionCache service over a relation-aware cas.ActionCache.
type acServer struct {
	repb.UnimplementedActionCacheServer
	blobs cas.BlobStore
	ac    cas.ActionCache
	opts  Options
}

func (s *acServer) GetActionResult(ctx context.Context, req *repb.GetActionResultRequest) (*repb.ActionResult, error) {
	k, err := requestKey(req.GetDigestFunction(), req.GetActionDigest())
	if err != nil {
		return nil, err
	}
	r, err := s.ac.Get(ctx, cas.ActionKey{Instance: req.GetInstanceName(), Key: k})
	if err != nil {
		return nil, err
	}
	r = proto.Clone(r).(*repb.ActionResult)
	if err := s.inline(ctx, k.Function, r, req); err != nil {
		return nil, err
	}
	return r, nil
}

// maxInlineBytes bounds the contents inlined into one GetActionResult
// response, well under gRPC clients' default 4 MiB receive limit.
const maxInlineBytes = 1 << 20

// inline fills stdout_raw, stderr_raw and output file contents the client
// asked for, while they fit in maxInlineBytes (and the batch limit); the
// rest stay digests only, which the spec allows.
func (s *acServer) inline(ctx context.Context, f digest.Function, r *repb.ActionResult, req *repb.GetActionResultRequest) error {
	budget := min(s.opts.MaxBatchBytes, maxInlineBytes)
	fetch := func(p *repb.Digest) ([]byte, bool, error) {
		if p == nil || p.GetSizeBytes() == 0 || p.GetSizeBytes() > budget {
			return nil, false, nil
		}
		k, err := key(f, p)
		if err != nil {
			return nil, false, err
		}
		b, err := readAll(ctx, s.blobs, k)
		if err != nil {
			return nil, false, err
		}
		budget -= int64(len(b))
		return b, true, nil
	}
	if req.GetInlineStdout() && len(r.StdoutRaw) == 0 {
		b, ok, err := fetch(r.GetStdoutDigest())
		if err != nil {
			return err
		}
		if ok {
			r.StdoutRaw = b
		}
	}
	if req.GetInlineStderr() && len(r.StderrRaw) == 0 {
		b, ok, err := fetch(r.GetStderrDigest())
		if err != nil {
			return err
		}
		if ok {
			r.StderrRaw = b
		}
	}
	want := map[string]bool{}
	for _, p := range req.GetInlineOutputFiles() {
		want[p] = true
	}
	for _, o := range r.GetOutputFiles() {
		if !want[o.GetPath()] || len(o.Contents) > 0 {
			continue
		}
		b, ok, err := fetch(o.GetDigest())
		if err != nil {
			return err
		}
		if ok {
			o.Contents = b
		}
	}
	return nil
}

func (s *acServer) UpdateActionResult(ctx context.Context, req *repb.UpdateActionResultRequest) (*repb.ActionResult, error) {
	k, err := requestKey(req.GetDigestFunction(), req.GetActionDigest())
	if err != nil {
		return nil, err
	}
	if err := s.ac.Put(ctx, cas.ActionKey{Instance: req.GetInstanceName(), Key: k}, req.GetActionResult()); err != nil {
		return nil, err
	}
	return req.GetActionResult(), nil
}

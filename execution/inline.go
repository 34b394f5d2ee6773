package execution

import (
	"context"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// inlineBudget bounds the bytes one ExecuteResponse carries inline: well
// under the 4 MiB message a gRPC client accepts by default, and about what
// a compile's object and diagnostics come to.
const inlineBudget = 1 << 20

// wantsInline says whether the caller asked for its outputs inline
// (client.InlineOutputsHeader).
func wantsInline(ctx context.Context) bool {
	md, _ := metadata.FromIncomingContext(ctx)
	return len(md.Get(client.InlineOutputsHeader)) > 0
}

// inlined returns a copy of resp whose result carries stdout, stderr and
// the output files' contents inline, in that order while they fit in
// inlineBudget. A blob that cannot be read stays a digest alone, for the
// client to fetch; the action cache's copy never carries contents.
func (s *Scheduler) inlined(ctx context.Context, fn digest.Function, resp *repb.ExecuteResponse) *repb.ExecuteResponse {
	if resp.GetResult() == nil {
		return resp
	}
	out := proto.Clone(resp).(*repb.ExecuteResponse)
	r := out.Result
	budget := int64(inlineBudget)
	read := func(have []byte, p *repb.Digest) []byte {
		d, err := digest.FromProto(p)
		if have != nil || err != nil || d.Size == 0 || d.Size > budget {
			return have
		}
		b, err := s.readBlob(ctx, cas.Key{Function: fn, Digest: d})
		if err != nil {
			return nil
		}
		budget -= d.Size
		return b
	}
	r.StdoutRaw = read(r.StdoutRaw, r.StdoutDigest)
	r.StderrRaw = read(r.StderrRaw, r.StderrDigest)
	for _, f := range r.OutputFiles {
		f.Contents = read(f.Contents, f.Digest)
	}
	return out
}

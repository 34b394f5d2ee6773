package worker

import (
	"context"
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// uploadResult collects the outputs of a command that ran, uploads them
// with stdout and stderr, and returns the ActionResult, serialised, for
// Complete to carry: the server stores it once, in its action cache.
func uploadResult(ctx context.Context, a *actionRun, outs []output, res execResult) ([]byte, error) {
	a.meta.OutputUploadStartTimestamp = timestamppb.Now()
	up := newUploads(a.fn)
	ar := &repb.ActionResult{ExitCode: res.ExitCode, ExecutionMetadata: a.meta}
	if err := collectOutputs(up, a.root, outs, a.cmd.GetOutputDirectoryFormat(), ar); err != nil {
		return nil, fmt.Errorf("collect outputs: %w", err)
	}
	ar.StdoutDigest = up.data(res.Stdout).Proto()
	ar.StderrDigest = up.data(res.Stderr).Proto()
	if err := a.store.Upload(ctx, up.list()); err != nil {
		return nil, fmt.Errorf("upload outputs: %w", err)
	}
	now := timestamppb.Now()
	a.meta.OutputUploadCompletedTimestamp = now
	a.meta.WorkerCompletedTimestamp = now
	return proto.Marshal(ar)
}

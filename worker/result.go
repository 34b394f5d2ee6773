package worker

import (
	"context"
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// uploadResult collects the outputs of a command that ran, uploads them
// with stdout, stderr and the ActionResult, and returns the result's digest.
func uploadResult(ctx context.Context, a *actionRun, outs []output, res execResult) (digest.Digest, error) {
	a.meta.OutputUploadStartTimestamp = timestamppb.Now()
	up := newUploads(a.fn)
	ar := &repb.ActionResult{ExitCode: res.ExitCode, ExecutionMetadata: a.meta}
	if err := collectOutputs(up, a.root, outs, a.cmd.GetOutputDirectoryFormat(), ar); err != nil {
		return digest.Digest{}, fmt.Errorf("collect outputs: %w", err)
	}
	ar.StdoutDigest = up.data(res.Stdout).Proto()
	ar.StderrDigest = up.data(res.Stderr).Proto()
	if err := a.store.Upload(ctx, up.list()); err != nil {
		return digest.Digest{}, fmt.Errorf("upload outputs: %w", err)
	}
	now := timestamppb.Now()
	a.meta.OutputUploadCompletedTimestamp = now
	a.meta.WorkerCompletedTimestamp = now
	d, b, err := a.fn.FromMessage(ar)
	if err != nil {
		return digest.Digest{}, err
	}
	if err := a.store.Upload(ctx, []client.Blob{{Digest: d, Data: b}}); err != nil {
		return digest.Digest{}, fmt.Errorf("upload action result: %w", err)
	}
	return d, nil
}

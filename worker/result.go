package worker

import (
	"context"
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// report is what Complete says of an action whose command ran: its
// ActionResult, serialised, which the server stores once, in its action
// cache; and, from a standalone worker, the digest of a copy uploaded to the
// CAS, which servers from before the result travelled in Complete read.
type report struct {
	result []byte
	digest digest.Digest
}

// uploadResult collects the outputs of a command that ran, uploads them
// with stdout and stderr, and returns the report of the ActionResult.
func uploadResult(ctx context.Context, a *actionRun, outs []output, res execResult) (report, error) {
	a.meta.OutputUploadStartTimestamp = timestamppb.Now()
	up := newUploads(a.fn)
	ar := &repb.ActionResult{ExitCode: res.ExitCode, ExecutionMetadata: a.meta}
	if err := collectOutputs(up, a.root, outs, a.cmd.GetOutputDirectoryFormat(), ar); err != nil {
		return report{}, fmt.Errorf("collect outputs: %w", err)
	}
	ar.StdoutDigest = up.data(res.Stdout).Proto()
	ar.StderrDigest = up.data(res.Stderr).Proto()
	if err := a.store.Upload(ctx, up.list()); err != nil {
		return report{}, fmt.Errorf("upload outputs: %w", err)
	}
	now := timestamppb.Now()
	a.meta.OutputUploadCompletedTimestamp = now
	a.meta.WorkerCompletedTimestamp = now
	d, b, err := a.fn.FromMessage(ar)
	if err != nil {
		return report{}, err
	}
	if _, embedded := a.store.(localCAS); embedded {
		return report{result: b}, nil
	}
	if err := a.store.Upload(ctx, []client.Blob{{Digest: d, Data: b}}); err != nil {
		return report{}, fmt.Errorf("upload action result: %w", err)
	}
	return report{result: b, digest: d}, nil
}

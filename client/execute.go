package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// ExecuteOptions tune one Execute call.
type ExecuteOptions struct {
	// SkipCacheLookup makes the server run the action even if cached.
	SkipCacheLookup bool
	// Priority is the execution priority (lower runs sooner; 0 is default).
	Priority int32
}

// opStream is what Execute and WaitExecution both return.
type opStream interface {
	Recv() (*longrunningpb.Operation, error)
}

// Execute runs an action remotely and waits for it. It follows the
// Operation stream until the operation is done; when the stream breaks
// (a transient error, or its end before done) it resumes with WaitExecution
// on the operation's name, and if the server no longer knows the operation
// it executes again. Retries follow the client's policy, each attempt bounded
// by Config.ExecuteTimeout.
//
// An Operation.error, or an ExecuteResponse whose status is not OK, is
// returned as an error carrying that status (see IsMissingBlobs); in the
// latter case the ExecuteResponse is returned too. A command that ran and
// exited non-zero is a success here: its exit code is in the result.
func (c *Client) Execute(ctx context.Context, action digest.Digest, opts ExecuteOptions) (*repb.ExecuteResponse, error) {
	fn, err := c.Function(ctx)
	if err != nil {
		return nil, err
	}
	req := &repb.ExecuteRequest{
		InstanceName:    c.cfg.Instance,
		ActionDigest:    action.Proto(),
		SkipCacheLookup: opts.SkipCacheLookup,
		DigestFunction:  fn.Proto(),
	}
	if opts.Priority != 0 {
		req.ExecutionPolicy = &repb.ExecutionPolicy{Priority: opts.Priority}
	}
	var opName string
	var final *longrunningpb.Operation
	ctx = askInline(ctx)
	err = c.retry(ctx, c.conn, c.cfg.ExecuteTimeout, func(ctx context.Context) error {
		var stream opStream
		var err error
		if opName == "" {
			stream, err = c.exec.Execute(ctx, req)
		} else {
			stream, err = c.exec.WaitExecution(ctx, &repb.WaitExecutionRequest{Name: opName})
		}
		if err == nil {
			final, err = follow(stream, &opName)
		}
		if err != nil && opName != "" && status.Code(err) == codes.NotFound {
			// The server forgot the operation (e.g. it restarted): run it again.
			opName = ""
			return status.Errorf(codes.Aborted, "operation lost: %v", err)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("execute %s: %w", action, err)
	}
	return operationResult(action, final)
}

// follow reads operations until one is done, recording the operation name.
// A stream that ends before that is reported as Unavailable.
func follow(stream opStream, name *string) (*longrunningpb.Operation, error) {
	for {
		op, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil, status.Error(codes.Unavailable, "operation stream ended before the operation was done")
		}
		if err != nil {
			return nil, err
		}
		if op.GetName() != "" {
			*name = op.GetName()
		}
		if op.GetDone() {
			return op, nil
		}
	}
}

// operationResult unpacks a done Operation.
func operationResult(action digest.Digest, op *longrunningpb.Operation) (*repb.ExecuteResponse, error) {
	if e := op.GetError(); e != nil {
		if err := status.ErrorProto(e); err != nil {
			return nil, fmt.Errorf("execute %s: %w", action, err)
		}
		return nil, status.Errorf(codes.Internal, "execute %s: operation failed with an OK status", action)
	}
	if op.GetResponse() == nil {
		return nil, status.Errorf(codes.Internal, "execute %s: operation done without a response", action)
	}
	resp := &repb.ExecuteResponse{}
	if err := op.GetResponse().UnmarshalTo(resp); err != nil {
		return nil, status.Errorf(codes.Internal, "execute %s: bad response: %v", action, err)
	}
	if err := status.ErrorProto(resp.GetStatus()); err != nil {
		return resp, fmt.Errorf("execute %s: %w", action, err)
	}
	if resp.GetResult() == nil {
		return resp, status.Errorf(codes.Internal, "execute %s: response without a result", action)
	}
	return resp, nil
}

// IsMissingBlobs reports whether err is the FAILED_PRECONDITION an Execute
// gets when inputs are missing from the CAS: upload them and retry once.
func IsMissingBlobs(err error) bool {
	return len(missingViolations(err)) > 0
}

// MissingBlobs returns the digests a missing-blobs error names (subjects
// such as "blobs/{hash}/{size}" or "blobs/blake3/{hash}/{size}");
// unparseable subjects are skipped.
func MissingBlobs(err error) []digest.Digest {
	var out []digest.Digest
	for _, v := range missingViolations(err) {
		if r, err := digest.ParseReadName(v.GetSubject()); err == nil {
			out = append(out, r.Digest)
		}
	}
	return out
}

func missingViolations(err error) []*errdetails.PreconditionFailure_Violation {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.FailedPrecondition {
		return nil
	}
	var out []*errdetails.PreconditionFailure_Violation
	for _, d := range st.Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				if v.GetType() == "MISSING" {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

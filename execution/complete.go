package execution

import (
	"context"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/workerpb"
)

// completeTimeout bounds the work Complete does after the worker reported:
// reading the result and writing the action cache.
const completeTimeout = time.Minute

// Complete ends a lease. A lease that was lost (expired and requeued, or
// cancelled) is NOT_FOUND and its report is ignored.
func (w workersServer) Complete(ctx context.Context, req *workerpb.CompleteRequest) (*workerpb.CompleteResponse, error) {
	s := w.s
	s.mu.Lock()
	l, err := s.leaseLocked(req.GetLeaseId(), req.GetWorkerId())
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	// Forget the lease now, so that it neither expires nor completes twice
	// while the result is read.
	delete(s.leases, l.id)
	l.job.lease = nil
	s.mu.Unlock()

	// The worker hanging up must not lose a result it already reported.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), completeTimeout)
	defer cancel()
	resp := s.completion(ctx, l.job, req)

	s.mu.Lock()
	s.finishLocked(l.job, resp)
	s.mu.Unlock()
	return &workerpb.CompleteResponse{}, nil
}

// completion turns a worker's report into the ExecuteResponse. A result
// goes into the action cache only when the command exited 0 and the action
// allows caching: a failed compile is not cached, so that a fixed toolchain
// or a flaky failure is retried by the next build instead of replayed.
func (s *Scheduler) completion(ctx context.Context, j *job, req *workerpb.CompleteRequest) *repb.ExecuteResponse {
	res, readErr := s.reportedResult(ctx, j, req)
	if c := code.Code(req.GetStatusCode()); c != code.Code_OK {
		if c == code.Code_FAILED_PRECONDITION {
			if resp := s.missingInputs(ctx, j); resp != nil {
				return resp
			}
		}
		resp := failure(c, req.GetStatusMessage())
		resp.Result = res // the partial result, when it could be read
		return resp
	}
	if readErr != nil {
		return failure(code.Code_INTERNAL, "worker result: "+readErr.Error())
	}
	if res == nil {
		return failure(code.Code_INTERNAL, "worker completed without a result or an error")
	}
	resp := &repb.ExecuteResponse{Result: res, Status: okStatus()}
	if res.GetExitCode() == 0 && !j.doNotCache && s.ac != nil {
		if err := s.ac.Put(ctx, j.key.actionKey(), res); err != nil {
			resp.Message = "result not cached: " + err.Error()
		}
	}
	return resp
}

// reportedResult is the ActionResult a worker reported: carried in the
// request, or (from workers that upload it) read from the CAS. Nil when
// the command never ran.
func (s *Scheduler) reportedResult(ctx context.Context, j *job, req *workerpb.CompleteRequest) (*repb.ActionResult, error) {
	var res *repb.ActionResult
	var err error
	if b := req.GetActionResult(); b != nil {
		res = &repb.ActionResult{}
		err = proto.Unmarshal(b, res)
	} else if rd := req.GetActionResultDigest(); rd != nil {
		res, err = s.readResult(ctx, j.key.function, rd)
	}
	if err != nil || res == nil {
		return nil, err
	}
	// Only the scheduler knows when the action was queued; with the
	// worker's start, it tells how long the action waited for a worker.
	if res.ExecutionMetadata == nil {
		res.ExecutionMetadata = &repb.ExecutedActionMetadata{}
	}
	res.ExecutionMetadata.QueuedTimestamp = timestamppb.New(j.queuedAt)
	return res, nil
}

func (s *Scheduler) readResult(ctx context.Context, fn digest.Function, rd *workerpb.Digest) (*repb.ActionResult, error) {
	d, err := digest.New(rd.GetHash(), rd.GetSizeBytes())
	if err != nil {
		return nil, err
	}
	b, err := s.readBlob(ctx, cas.Key{Function: fn, Digest: d})
	if err != nil {
		return nil, err
	}
	res := &repb.ActionResult{}
	if err := proto.Unmarshal(b, res); err != nil {
		return nil, err
	}
	return res, nil
}

// missingInputs answers a worker that could not stage its inputs: they were
// evicted between Execute's check and the lease. The response names each
// missing blob, as the spec asks, so that the client uploads them again
// rather than giving up. Nil when the inputs are all there after all.
func (s *Scheduler) missingInputs(ctx context.Context, j *job) *repb.ExecuteResponse {
	_, err := s.prepareJob(ctx, j.key)
	if st, ok := status.FromError(err); ok && st.Code() == codes.FailedPrecondition {
		return &repb.ExecuteResponse{Status: st.Proto()}
	}
	return nil
}

package execution

import (
	"context"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// executionServer is the REAPI Execution service over a Scheduler.
type executionServer struct {
	repb.UnimplementedExecutionServer
	s *Scheduler
}

// Execute answers from the action cache when it can, otherwise queues the
// action (or joins an identical one in flight) and streams its progress.
// Errors found before an operation exists are gRPC errors; errors while
// running go in ExecuteResponse.status, never in Operation.error.
func (e executionServer) Execute(req *repb.ExecuteRequest, stream repb.Execution_ExecuteServer) error {
	ctx := stream.Context()
	key, err := requestKey(req)
	if err != nil {
		return err
	}
	if !req.GetSkipCacheLookup() {
		if res := e.s.lookupCache(ctx, key); res != nil {
			name, j := e.s.addCachedOp(key, res)
			return e.s.watch(ctx, name, j, stream.Send, wantsInline(ctx))
		}
	}
	name, j, err := e.s.submit(ctx, key, req.GetExecutionPolicy().GetPriority())
	if err != nil {
		return err
	}
	return e.s.watch(ctx, name, j, stream.Send, wantsInline(ctx))
}

// WaitExecution re-attaches to an operation that is running or finished
// recently; it sends the current state at once.
func (e executionServer) WaitExecution(req *repb.WaitExecutionRequest, stream repb.Execution_WaitExecutionServer) error {
	s := e.s
	s.mu.Lock()
	j := s.ops[req.GetName()]
	if j != nil {
		j.watchers++
	}
	s.mu.Unlock()
	if j == nil {
		return status.Errorf(codes.NotFound, "operation %q is unknown or expired", req.GetName())
	}
	return s.watch(stream.Context(), req.GetName(), j, stream.Send, wantsInline(stream.Context()))
}

func requestKey(req *repb.ExecuteRequest) (jobKey, error) {
	fn, err := digest.FunctionFromProto(req.GetDigestFunction())
	if err != nil {
		return jobKey{}, status.Errorf(codes.InvalidArgument, "%v", err)
	}
	d, err := digest.FromProto(req.GetActionDigest())
	if err != nil {
		return jobKey{}, status.Errorf(codes.InvalidArgument, "action digest: %v", err)
	}
	return jobKey{instance: req.GetInstanceName(), function: fn, action: d}, nil
}

// lookupCache returns the cached result of key, or nil. Any cache error
// counts as a miss: the action can still run.
func (s *Scheduler) lookupCache(ctx context.Context, key jobKey) *repb.ActionResult {
	if s.ac == nil {
		return nil
	}
	res, err := s.ac.Get(ctx, key.actionKey())
	if err != nil {
		return nil
	}
	return res
}

// addCachedOp records a finished operation for a cache hit, so that
// WaitExecution finds it like any other.
func (s *Scheduler) addCachedOp(key jobKey, res *repb.ActionResult) (string, *job) {
	j := newJob(key, repb.ExecutionStage_COMPLETED)
	j.resp = &repb.ExecuteResponse{Result: res, CachedResult: true, Status: okStatus()}
	j.doneAt = time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addOpLocked(j), j
}

// submit queues a new job for key, or attaches to an identical cacheable
// job in flight. The returned job already counts the caller as a watcher.
func (s *Scheduler) submit(ctx context.Context, key jobKey, priority int32) (string, *job, error) {
	s.mu.Lock()
	if j := s.inflight[key]; j != nil {
		defer s.mu.Unlock()
		return s.attachLocked(j, priority), j, nil
	}
	s.mu.Unlock()

	j, err := s.prepareJob(ctx, key)
	if err != nil {
		return "", nil, err
	}
	j.priority = priority
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", nil, status.Error(codes.Unavailable, "server is shutting down")
	}
	if other := s.inflight[key]; other != nil && !j.doNotCache {
		return s.attachLocked(other, priority), other, nil
	}
	if why := s.unrunnableLocked(j.platform, time.Now()); why != "" {
		return "", nil, status.Error(codes.FailedPrecondition, why)
	}
	if !j.doNotCache {
		s.inflight[key] = j
	}
	j.queuedAt = time.Now()
	s.queue.push(j)
	s.notifyWorkersLocked()
	return s.attachLocked(j, priority), j, nil
}

// attachLocked adds a watcher to j under a new operation name. A more
// urgent request raises the priority of a job still queued.
func (s *Scheduler) attachLocked(j *job, priority int32) string {
	if j.stage == repb.ExecutionStage_QUEUED && priority < j.priority {
		j.priority = priority
	}
	return s.addOpLocked(j)
}

// addOpLocked names a new operation for j and counts its watcher.
func (s *Scheduler) addOpLocked(j *job) string {
	name := "operations/" + newID()
	s.ops[name] = j
	j.watchers++
	return name
}

package execution

import (
	"context"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/workerpb"
)

// workersServer is the workerpb.Workers service over a Scheduler.
type workersServer struct {
	workerpb.UnimplementedWorkersServer
	s *Scheduler
}

// Lease waits up to max_wait (bounded by Options.MaxLeaseWait; unset means
// the bound) for a queued action whose platform the worker offers.
func (w workersServer) Lease(ctx context.Context, req *workerpb.LeaseRequest) (*workerpb.LeaseResponse, error) {
	if req.GetWorkerId() == "" {
		return nil, status.Error(codes.InvalidArgument, "lease: worker_id is empty")
	}
	s := w.s
	wait := s.opts.MaxLeaseWait
	if req.GetMaxWait() != nil {
		wait = min(wait, max(req.GetMaxWait().AsDuration(), 0))
	}
	if dl, ok := ctx.Deadline(); ok {
		// Answer "no work" before the caller's deadline rather than fail.
		wait = min(wait, max(time.Until(dl)-leaseMargin, 0))
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()

	s.mu.Lock()
	rec := s.seeWorkerLocked(req.GetWorkerId(), req.GetPlatform(), time.Now())
	rec.polling++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		rec.polling--
		rec.lastSeen = time.Now()
		s.mu.Unlock()
	}()
	for {
		s.mu.Lock()
		if s.closed || ctx.Err() != nil {
			s.mu.Unlock()
			return &workerpb.LeaseResponse{}, nil
		}
		if j := s.queue.take(rec.canRun); j != nil {
			l := s.startLeaseLocked(j, req.GetWorkerId())
			s.mu.Unlock()
			return s.leaseResponse(l), nil
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-timer.C:
			return &workerpb.LeaseResponse{}, nil
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		case <-s.done:
			return &workerpb.LeaseResponse{}, nil
		}
	}
}

// leaseMargin is how long before the caller's deadline Lease gives up
// waiting, so that the answer still arrives in time.
const leaseMargin = 50 * time.Millisecond

// hardStopSlack is how long past its timeout a heart-beating lease may
// run (staging inputs, uploading outputs) before the server gives up on it.
const hardStopSlack = 2 * time.Minute

func (s *Scheduler) startLeaseLocked(j *job, workerID string) *lease {
	now := time.Now()
	l := &lease{
		id:       newID(),
		workerID: workerID,
		job:      j,
		deadline: now.Add(s.opts.LeaseTimeout),
		hardStop: now.Add(j.timeout + hardStopSlack),
	}
	j.lease = l
	s.leases[l.id] = l
	j.setStageLocked(executing)
	return l
}

func (s *Scheduler) leaseResponse(l *lease) *workerpb.LeaseResponse {
	k := l.job.key
	return &workerpb.LeaseResponse{
		LeaseId:           l.id,
		InstanceName:      k.instance,
		DigestFunction:    k.function.Name(),
		ActionDigest:      &workerpb.Digest{Hash: k.action.Hash, SizeBytes: k.action.Size},
		HeartbeatInterval: durationpb.New(s.opts.HeartbeatInterval),
		Timeout:           durationpb.New(l.job.timeout),
	}
}

// Heartbeat keeps a lease alive. It answers cancel when nobody has waited
// for a do_not_cache action for a while: its result could serve no one.
func (w workersServer) Heartbeat(ctx context.Context, req *workerpb.HeartbeatRequest) (*workerpb.HeartbeatResponse, error) {
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.leaseLocked(req.GetLeaseId(), req.GetWorkerId())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if rec := s.workers[l.workerID]; rec != nil {
		rec.lastSeen = now
	}
	if s.unwantedLocked(l.job, now) {
		s.finishLocked(l.job, failure(code.Code_CANCELLED, "every client waiting for this do_not_cache action went away"))
		return &workerpb.HeartbeatResponse{Cancel: true}, nil
	}
	l.deadline = now.Add(s.opts.LeaseTimeout)
	return &workerpb.HeartbeatResponse{}, nil
}

// leaseLocked finds a live lease; a lost one is NOT_FOUND.
func (s *Scheduler) leaseLocked(id, workerID string) (*lease, error) {
	l := s.leases[id]
	if l == nil || (workerID != "" && workerID != l.workerID) {
		return nil, status.Errorf(codes.NotFound, "lease %q is unknown or expired", id)
	}
	return l, nil
}

// unwantedLocked reports whether j's result would serve nobody: it is not
// cached and no client has watched it for longer than a reconnect takes.
func (s *Scheduler) unwantedLocked(j *job, now time.Time) bool {
	return j.doNotCache && j.watchers == 0 && now.Sub(j.orphaned) > s.opts.LeaseTimeout
}

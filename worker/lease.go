package worker

import (
	"context"
	"errors"
	"os"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/workerpb"
)

// errLeaseLost is the cause of a lease's cancellation when the server says
// the lease is gone or the client no longer wants the result.
var errLeaseLost = errors.New("lease lost or cancelled")

// handle runs one lease to its end: heart-beating all along, and reporting
// with Complete unless the lease was lost (then the server has moved on and
// nothing is reported).
func (r *runner) handle(ctx context.Context, lease *workerpb.LeaseResponse) {
	leaseCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	beating := make(chan struct{})
	go func() {
		defer close(beating)
		r.heartbeat(leaseCtx, cancel, lease)
	}()
	result, dir, err := r.execute(leaseCtx, lease)
	cancel(nil)
	<-beating
	if dir != "" {
		// After Complete: the server has the result without waiting for
		// the removal of a directory and a link per input. The slot takes
		// its next lease only once the directory is gone.
		defer os.RemoveAll(dir)
	}
	if errors.Is(context.Cause(leaseCtx), errLeaseLost) || ctx.Err() != nil {
		r.opts.Logf("worker %s: lease %s abandoned: %v", r.opts.ID, lease.GetLeaseId(), context.Cause(leaseCtx))
		return
	}
	if err != nil {
		r.opts.Logf("worker %s: lease %s: %v", r.opts.ID, lease.GetLeaseId(), err)
	}
	r.complete(ctx, lease, result, err)
}

// heartbeat keeps the lease alive until ctx is done, and cancels it with
// errLeaseLost when the server answers NOT_FOUND or asks to cancel.
func (r *runner) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, lease *workerpb.LeaseResponse) {
	interval := lease.GetHeartbeatInterval().AsDuration()
	if interval <= 0 {
		interval = defaultHeartbeat
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rpcCtx, done := context.WithTimeout(ctx, interval)
		resp, err := r.workers.Heartbeat(rpcCtx, &workerpb.HeartbeatRequest{
			WorkerId: r.opts.ID, LeaseId: lease.GetLeaseId(),
		})
		done()
		if status.Code(err) == codes.NotFound || resp.GetCancel() {
			cancel(errLeaseLost)
			return
		}
	}
}

// completeTimeout bounds one Complete call; completeAttempts bounds the
// tries when the server is briefly unreachable.
const (
	completeTimeout  = 30 * time.Second
	completeAttempts = 3
)

// complete reports the result digest (when the command ran) and the status.
// Transient failures are retried a little; after that the lease expires on
// the server and the action runs again elsewhere.
func (r *runner) complete(ctx context.Context, lease *workerpb.LeaseResponse, result report, runErr error) {
	req := &workerpb.CompleteRequest{WorkerId: r.opts.ID, LeaseId: lease.GetLeaseId(), ActionResult: result.result}
	if d := result.digest; !d.IsZero() {
		req.ActionResultDigest = &workerpb.Digest{Hash: d.Hash, SizeBytes: d.Size}
	}
	if runErr != nil {
		req.StatusCode = int32(errorCode(runErr))
		req.StatusMessage = runErr.Error()
	}
	var err error
	for i := range completeAttempts {
		if i > 0 {
			sleep(ctx, time.Duration(i)*200*time.Millisecond)
		}
		callCtx, cancel := context.WithTimeout(ctx, completeTimeout)
		_, err = r.workers.Complete(callCtx, req)
		cancel()
		if !transient(err) {
			break
		}
	}
	if err != nil {
		r.opts.Logf("worker %s: complete lease %s: %v", r.opts.ID, lease.GetLeaseId(), err)
	}
}

// transient reports whether a failed call may succeed if tried again.
func transient(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted:
		return true
	}
	return false
}

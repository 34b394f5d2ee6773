package execution

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"
)

// watch streams j's progress as operation name: the current stage at once,
// each change after, and the done operation last, with its outputs inline
// when the caller asked (see inlined). The caller has counted itself as a
// watcher; watch uncounts it when it returns.
func (s *Scheduler) watch(ctx context.Context, name string, j *job, send func(*longrunningpb.Operation) error, inline bool) error {
	defer s.detach(j)
	last := repb.ExecutionStage_UNKNOWN
	for {
		s.mu.Lock()
		stage, resp, changed := j.stage, j.resp, j.changed
		s.mu.Unlock()
		if stage != last {
			if resp != nil && inline {
				resp = s.inlined(ctx, j.key.function, resp)
			}
			op, err := operation(name, j.key, stage, resp)
			if err != nil {
				return err
			}
			if err := send(op); err != nil {
				return err
			}
			last = stage
		}
		if resp != nil {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-s.done:
			return status.Error(codes.Unavailable, "server is shutting down")
		}
	}
}

// detach uncounts a watcher of j.
func (s *Scheduler) detach(j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j.watchers--
	if j.watchers == 0 {
		j.orphaned = time.Now()
	}
}

// operation builds the longrunning Operation for a job at stage; resp is
// set once it is done.
func operation(name string, key jobKey, stage repb.ExecutionStage_Value, resp *repb.ExecuteResponse) (*longrunningpb.Operation, error) {
	md, err := anypb.New(&repb.ExecuteOperationMetadata{
		Stage:          stage,
		ActionDigest:   key.action.Proto(),
		DigestFunction: key.function.Proto(),
	})
	if err != nil {
		return nil, fmt.Errorf("operation metadata: %w", err)
	}
	op := &longrunningpb.Operation{Name: name, Metadata: md}
	if resp != nil {
		r, err := anypb.New(resp)
		if err != nil {
			return nil, fmt.Errorf("operation response: %w", err)
		}
		op.Done = true
		op.Result = &longrunningpb.Operation_Response{Response: r}
	}
	return op, nil
}

func okStatus() *statuspb.Status { return &statuspb.Status{} }

// newID returns a random UUID (version 4) string.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

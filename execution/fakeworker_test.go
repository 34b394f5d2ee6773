package execution

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/workerpb"
)

// execute starts an Execute call and returns its stream.
func (e *env) execute(ctx context.Context, d digest.Digest, mod func(*repb.ExecuteRequest)) repb.Execution_ExecuteClient {
	e.t.Helper()
	req := &repb.ExecuteRequest{ActionDigest: d.Proto(), DigestFunction: repb.DigestFunction_SHA256}
	if mod != nil {
		mod(req)
	}
	stream, err := e.exec.Execute(ctx, req)
	if err != nil {
		e.t.Fatal(err)
	}
	return stream
}

// opStream is what Execute and WaitExecution return.
type opStream interface {
	Recv() (*longrunningpb.Operation, error)
}

// recv reads the next operation and checks its stage.
func recv(t *testing.T, s opStream, want repb.ExecutionStage_Value) *longrunningpb.Operation {
	t.Helper()
	op, err := s.Recv()
	if err != nil {
		t.Fatalf("recv (want %v): %v", want, err)
	}
	if got := stageOf(t, op); got != want {
		t.Fatalf("stage = %v, want %v", got, want)
	}
	if op.GetError() != nil {
		t.Fatalf("operation.error is set: %v", op.GetError())
	}
	if op.Done != (want == repb.ExecutionStage_COMPLETED) {
		t.Fatalf("done = %v at stage %v", op.Done, want)
	}
	return op
}

// finish reads up to the done operation (intermediate stages may be
// coalesced) and the end of the stream.
func finish(t *testing.T, s opStream) *repb.ExecuteResponse {
	t.Helper()
	for {
		op, err := s.Recv()
		if err != nil {
			t.Fatalf("recv (want done): %v", err)
		}
		if op.GetError() != nil {
			t.Fatalf("operation.error is set: %v", op.GetError())
		}
		if !op.GetDone() {
			continue
		}
		if stageOf(t, op) != repb.ExecutionStage_COMPLETED {
			t.Fatalf("done operation at stage %v", stageOf(t, op))
		}
		if _, err := s.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("after done: %v, want EOF", err)
		}
		return responseOf(t, op)
	}
}

func stageOf(t *testing.T, op *longrunningpb.Operation) repb.ExecutionStage_Value {
	t.Helper()
	md := &repb.ExecuteOperationMetadata{}
	if err := op.GetMetadata().UnmarshalTo(md); err != nil {
		t.Fatalf("metadata: %v", err)
	}
	return md.GetStage()
}

func responseOf(t *testing.T, op *longrunningpb.Operation) *repb.ExecuteResponse {
	t.Helper()
	resp := &repb.ExecuteResponse{}
	if err := op.GetResponse().UnmarshalTo(resp); err != nil {
		t.Fatalf("response: %v", err)
	}
	return resp
}

// worker is a fake worker: it leases through the real Workers service and
// reports results it writes to the CAS itself.
type worker struct {
	e        *env
	id       string
	platform []*workerpb.Property
}

func (e *env) worker(id string, props ...string) *worker {
	w := &worker{e: e, id: id}
	for i := 0; i+1 < len(props); i += 2 {
		w.platform = append(w.platform, &workerpb.Property{Name: props[i], Value: props[i+1]})
	}
	return w
}

// lease asks for work, waiting at most wait; nil when none came.
func (w *worker) lease(wait time.Duration) *workerpb.LeaseResponse {
	w.e.t.Helper()
	resp, err := w.e.workers.Lease(ctxT(w.e.t), &workerpb.LeaseRequest{
		WorkerId: w.id, Platform: w.platform, MaxWait: durationpb.New(wait)})
	if err != nil {
		w.e.t.Fatalf("lease: %v", err)
	}
	if resp.GetLeaseId() == "" {
		return nil
	}
	return resp
}

// mustLease waits for work and fails the test if none comes.
func (w *worker) mustLease() *workerpb.LeaseResponse {
	w.e.t.Helper()
	l := w.lease(5 * time.Second)
	if l == nil {
		w.e.t.Fatalf("worker %s got no lease", w.id)
	}
	return l
}

func (w *worker) heartbeat(l *workerpb.LeaseResponse) (*workerpb.HeartbeatResponse, error) {
	return w.e.workers.Heartbeat(ctxT(w.e.t), &workerpb.HeartbeatRequest{WorkerId: w.id, LeaseId: l.GetLeaseId()})
}

// result stores an ActionResult with one output file, as a worker would.
func (w *worker) result(exit int32, stdout string) (*repb.ActionResult, *workerpb.Digest) {
	obj := w.e.put([]byte("object code from " + w.id))
	res := &repb.ActionResult{
		ExitCode:    exit,
		StdoutRaw:   []byte(stdout),
		OutputFiles: []*repb.OutputFile{{Path: "a.o", Digest: obj.Proto()}},
	}
	d := w.e.putMsg(res)
	return res, &workerpb.Digest{Hash: d.Hash, SizeBytes: d.Size}
}

// complete reports a run with exit code exit; it returns the result.
func (w *worker) complete(l *workerpb.LeaseResponse, exit int32) (*repb.ActionResult, error) {
	res, d := w.result(exit, "ran on "+w.id)
	_, err := w.e.workers.Complete(ctxT(w.e.t), &workerpb.CompleteRequest{
		WorkerId: w.id, LeaseId: l.GetLeaseId(), ActionResultDigest: d})
	return res, err
}

func (w *worker) mustComplete(l *workerpb.LeaseResponse, exit int32) *repb.ActionResult {
	w.e.t.Helper()
	res, err := w.complete(l, exit)
	if err != nil {
		w.e.t.Fatalf("complete: %v", err)
	}
	return res
}

func wantCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("error %v: code %v, want %v", err, got, want)
	}
}

// asReported is r as its worker reported it, without the queued time the
// scheduler adds, which it must carry.
func asReported(t *testing.T, r *repb.ActionResult) *repb.ActionResult {
	t.Helper()
	if r.GetExecutionMetadata().GetQueuedTimestamp() == nil {
		t.Errorf("result without the time its action was queued: %v", r)
		return r
	}
	r = proto.Clone(r).(*repb.ActionResult)
	r.ExecutionMetadata.QueuedTimestamp = nil
	if proto.Equal(r.ExecutionMetadata, &repb.ExecutedActionMetadata{}) {
		r.ExecutionMetadata = nil
	}
	return r
}

package execution

import (
	"context"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/workerpb"
)

func TestLostLeaseRunsElsewhereAndLateCompleteIsIgnored(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	stream := e.execute(ctx, d, nil)
	recv(t, stream, repb.ExecutionStage_QUEUED)

	a, b := e.worker("a"), e.worker("b")
	la := a.mustLease() // a then stops heart-beating
	recv(t, stream, repb.ExecutionStage_EXECUTING)
	lb := b.mustLease()
	if lb.GetActionDigest().GetHash() != d.Hash || lb.GetLeaseId() == la.GetLeaseId() {
		t.Fatalf("second worker's lease = %v, want a new lease of %v", lb, d)
	}
	_, err := a.heartbeat(la)
	wantCode(t, err, codes.NotFound)
	_, err = a.complete(la, 7)
	wantCode(t, err, codes.NotFound)

	want := b.mustComplete(lb, 0)
	if resp := finish(t, stream); !proto.Equal(asReported(t, resp.GetResult()), want) {
		t.Errorf("result = %v, want worker b's %v", resp.GetResult(), want)
	}
}

func TestHeartbeatsKeepTheLease(t *testing.T) {
	o := fastOptions()
	e := newEnv(t, o)
	d := e.action(spec{})
	stream := e.execute(ctxT(t), d, nil)
	recv(t, stream, repb.ExecutionStage_QUEUED)
	a := e.worker("a")
	l := a.mustLease()
	if l.GetHeartbeatInterval().AsDuration() != o.HeartbeatInterval {
		t.Errorf("heartbeat interval = %v, want %v", l.GetHeartbeatInterval().AsDuration(), o.HeartbeatInterval)
	}
	for end := time.Now().Add(2 * o.LeaseTimeout); time.Now().Before(end); {
		if r, err := a.heartbeat(l); err != nil || r.GetCancel() {
			t.Fatalf("heartbeat = %v, %v", r, err)
		}
		time.Sleep(o.HeartbeatInterval)
	}
	if other := e.worker("b").lease(0); other != nil {
		t.Fatalf("a heart-beaten lease was handed out again: %v", other)
	}
	a.mustComplete(l, 0)
	finish(t, stream)
}

func TestActionLosingTooManyLeasesFails(t *testing.T) {
	o := fastOptions()
	o.MaxRequeues = 1
	e := newEnv(t, o)
	stream := e.execute(ctxT(t), e.action(spec{}), nil)
	recv(t, stream, repb.ExecutionStage_QUEUED)
	e.worker("a").mustLease()
	e.worker("b").mustLease() // after a's lease expired
	resp := finish(t, stream)
	if resp.GetStatus().GetCode() != int32(code.Code_UNAVAILABLE) {
		t.Errorf("status = %v, want UNAVAILABLE", resp.GetStatus())
	}
}

func TestWorkerErrorGoesInExecuteResponse(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	stream := e.execute(ctx, d, nil)
	w := e.worker("w")
	l := w.mustLease()
	partial, rd := w.result(137, "killed")
	_, err := e.workers.Complete(ctx, &workerpb.CompleteRequest{WorkerId: "w", LeaseId: l.GetLeaseId(),
		ActionResultDigest: rd, StatusCode: int32(code.Code_DEADLINE_EXCEEDED), StatusMessage: "timed out"})
	if err != nil {
		t.Fatal(err)
	}
	resp := finish(t, stream) // finish checks Operation.error is unset
	if resp.GetStatus().GetCode() != int32(code.Code_DEADLINE_EXCEEDED) || !proto.Equal(asReported(t, resp.GetResult()), partial) {
		t.Errorf("response = %v, want DEADLINE_EXCEEDED with the partial result", resp)
	}
	_, err = e.ac.Get(ctx, cas.ActionKey{Key: cas.Key{Function: digest.SHA256, Digest: d}})
	wantCode(t, err, codes.NotFound)
}

func TestWaitExecutionAfterDroppedStream(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx, cancel := context.WithCancel(ctxT(t))
	stream := e.execute(ctx, e.action(spec{}), nil)
	name := recv(t, stream, repb.ExecutionStage_QUEUED).GetName()
	cancel()

	w := e.worker("w")
	want := w.mustComplete(w.mustLease(), 0)
	wait, err := e.exec.WaitExecution(ctxT(t), &repb.WaitExecutionRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if resp := finish(t, wait); !proto.Equal(asReported(t, resp.GetResult()), want) {
		t.Errorf("WaitExecution result = %v, want %v", resp.GetResult(), want)
	}

	unknown, err := e.exec.WaitExecution(ctxT(t), &repb.WaitExecutionRequest{Name: "operations/nope"})
	if err == nil {
		_, err = unknown.Recv()
	}
	wantCode(t, err, codes.NotFound)
}

func TestPriorityThenFIFO(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	prios := []int32{5, 0, -1, 0}
	byHash := map[string]int{}
	for i, p := range prios {
		d := e.action(spec{args: []string{"cc", "-DN=" + string(rune('a'+i))}})
		byHash[d.Hash] = i
		s := e.execute(ctx, d, func(r *repb.ExecuteRequest) {
			r.ExecutionPolicy = &repb.ExecutionPolicy{Priority: p}
		})
		recv(t, s, repb.ExecutionStage_QUEUED) // queued in this order
	}
	w := e.worker("w")
	var order []int
	for range prios {
		order = append(order, byHash[w.mustLease().GetActionDigest().GetHash()])
	}
	want := []int{2, 1, 3, 0} // -1, then the two 0s in arrival order, then 5
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("lease order = %v, want %v", order, want)
		}
	}
}

func TestCloseReleasesLeasesAndStreams(t *testing.T) {
	o := fastOptions()
	o.WorkerGrace = time.Hour
	e := newEnv(t, o)
	got := make(chan *workerpb.LeaseResponse, 1)
	go func() { got <- e.worker("idle").lease(5 * time.Second) }()
	time.Sleep(20 * time.Millisecond)
	e.s.Close()
	select {
	case l := <-got:
		if l != nil {
			t.Errorf("lease after Close = %v, want none", l)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Lease still waiting after Close")
	}

	e = newEnv(t, o) // no worker: the action stays queued
	stream := e.execute(ctxT(t), e.action(spec{}), nil)
	recv(t, stream, repb.ExecutionStage_QUEUED)
	e.s.Close()
	_, err := stream.Recv()
	wantCode(t, err, codes.Unavailable)
}

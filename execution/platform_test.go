package execution

import (
	"context"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestPlatformMismatchFailsAtOnce(t *testing.T) {
	o := fastOptions()
	o.WorkerGrace = time.Hour // a known worker is enough to decide
	e := newEnv(t, o)
	e.worker("linux", "OSFamily", "linux").lease(0)
	start := time.Now()
	err := e.executeErr(e.action(spec{platform: map[string]string{"OSFamily": "windows"}}), nil)
	wantCode(t, err, codes.FailedPrecondition)
	msg := status.Convert(err).Message()
	if !strings.Contains(msg, "OSFamily=windows") || !strings.Contains(msg, "OSFamily=linux") {
		t.Errorf("message %q should name what was asked and what is offered", msg)
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %v to fail", time.Since(start))
	}
}

func TestNoWorkerAfterGraceFailsAtOnce(t *testing.T) {
	o := fastOptions()
	o.WorkerGrace = time.Millisecond
	e := newEnv(t, o)
	time.Sleep(5 * time.Millisecond)
	err := e.executeErr(e.action(spec{}), nil)
	wantCode(t, err, codes.FailedPrecondition)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "no worker") {
		t.Errorf("message %q should say no worker is there", msg)
	}
}

func TestNoWorkerWithinGraceFailsWhenGraceEnds(t *testing.T) {
	o := fastOptions()
	o.WorkerGrace = 300 * time.Millisecond
	e := newEnv(t, o)
	stream := e.execute(ctxT(t), e.action(spec{}), nil)
	recv(t, stream, repb.ExecutionStage_QUEUED)
	resp := finish(t, stream)
	if resp.GetStatus().GetCode() != int32(code.Code_FAILED_PRECONDITION) {
		t.Errorf("status = %v, want FAILED_PRECONDITION", resp.GetStatus())
	}
}

func TestPlatformMatching(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	plain := e.worker("plain")
	gpu := e.worker("gpu", "OSFamily", "linux", "gpu", "yes")
	plain.lease(0)
	gpu.lease(0)

	s := e.execute(ctx, e.action(spec{platform: map[string]string{"gpu": "yes"}}), nil)
	recv(t, s, repb.ExecutionStage_QUEUED)
	if l := plain.lease(30 * time.Millisecond); l != nil {
		t.Fatalf("worker without gpu=yes leased %v", l)
	}
	gpu.mustComplete(gpu.mustLease(), 0)
	finish(t, s)

	s = e.execute(ctx, e.action(spec{args: []string{"cc", "-c", "b.c"}}), nil)
	recv(t, s, repb.ExecutionStage_QUEUED)
	plain.mustComplete(plain.mustLease(), 0) // no properties: any worker
	finish(t, s)
}

// TestOtherSystemsWorkerRunsOnlyItsOwnActions: rex on Linux names no
// OSFamily, rex-worker on FreeBSD or macOS offers its own. A Linux
// compile must not run on the other system's compiler, nor may a FreeBSD
// one on a Linux worker; a Linux worker that names Linux takes both
// spellings.
func TestOtherSystemsWorkerRunsOnlyItsOwnActions(t *testing.T) {
	o := fastOptions()
	o.WorkerGrace = time.Hour // a known worker is enough to decide
	e := newEnv(t, o)
	ctx := ctxT(t)
	bsd := e.worker("bsd", "OSFamily", "freebsd")
	bsd.lease(0)

	linuxAction := e.action(spec{args: []string{"cc", "-c", "linux.c"}})
	err := e.executeErr(linuxAction, nil)
	wantCode(t, err, codes.FailedPrecondition)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "names no OSFamily") {
		t.Errorf("message %q should say why the FreeBSD worker does not run it", msg)
	}

	linux := e.worker("linux", "OSFamily", "Linux")
	linux.lease(0)
	s := e.execute(ctx, linuxAction, nil)
	recv(t, s, repb.ExecutionStage_QUEUED)
	if l := bsd.lease(30 * time.Millisecond); l != nil {
		t.Fatalf("a FreeBSD worker leased an action that names no system: %v", l)
	}
	linux.mustComplete(linux.mustLease(), 0)
	finish(t, s)

	s = e.execute(ctx, e.action(spec{args: []string{"cc", "-c", "bsd.c"}, platform: map[string]string{"OSFamily": "freebsd"}}), nil)
	recv(t, s, repb.ExecutionStage_QUEUED)
	if l := linux.lease(30 * time.Millisecond); l != nil {
		t.Fatalf("a Linux worker leased a FreeBSD action: %v", l)
	}
	bsd.mustComplete(bsd.mustLease(), 0)
	finish(t, s)
}

func TestUnwantedDoNotCacheActionIsCancelled(t *testing.T) {
	o := fastOptions()
	e := newEnv(t, o)
	ctx, cancel := context.WithCancel(ctxT(t))
	s := e.execute(ctx, e.action(spec{doNotCache: true}), nil)
	recv(t, s, repb.ExecutionStage_QUEUED)
	w := e.worker("w")
	l := w.mustLease()
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := w.heartbeat(l)
		if err != nil {
			t.Fatalf("heartbeat: %v", err)
		}
		if r.GetCancel() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no cancel although nobody waits for a do_not_cache action")
		}
		time.Sleep(o.HeartbeatInterval)
	}
	_, err := w.complete(l, 0)
	wantCode(t, err, codes.NotFound)
}

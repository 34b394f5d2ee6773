package execution

import (
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

func TestExecuteStreamsQueuedExecutingDone(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	stream := e.execute(ctx, d, nil)
	first := recv(t, stream, repb.ExecutionStage_QUEUED)
	md := &repb.ExecuteOperationMetadata{}
	first.GetMetadata().UnmarshalTo(md)
	if got, _ := digest.FromProto(md.GetActionDigest()); got != d {
		t.Errorf("metadata action digest = %v, want %v", got, d)
	}

	w := e.worker("w1")
	l := w.mustLease()
	if l.GetActionDigest().GetHash() != d.Hash || l.GetDigestFunction() != "sha256" {
		t.Fatalf("lease = %v, want action %v", l, d)
	}
	if op := recv(t, stream, repb.ExecutionStage_EXECUTING); op.GetName() != first.GetName() {
		t.Errorf("operation renamed from %q to %q", first.GetName(), op.GetName())
	}
	want := w.mustComplete(l, 0)
	resp := finish(t, stream)
	if resp.GetStatus().GetCode() != 0 || resp.GetCachedResult() {
		t.Errorf("response status %v cached %v, want OK and not cached", resp.GetStatus(), resp.GetCachedResult())
	}
	if !proto.Equal(asReported(t, resp.GetResult()), want) {
		t.Errorf("result = %v, want %v", resp.GetResult(), want)
	}
	got, err := e.ac.Get(ctx, cas.ActionKey{Key: cas.Key{Function: digest.SHA256, Digest: d}})
	if err != nil || !proto.Equal(asReported(t, got), want) {
		t.Errorf("action cache after success = %v, %v; want the result", got, err)
	}
}

func TestCacheHitShortCircuits(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	res, _ := e.worker("w").result(0, "cached")
	if err := e.ac.Put(ctx, cas.ActionKey{Key: cas.Key{Function: digest.SHA256, Digest: d}}, res); err != nil {
		t.Fatal(err)
	}
	resp := finish(t, e.execute(ctx, d, nil))
	if !resp.GetCachedResult() || !proto.Equal(resp.GetResult(), res) {
		t.Errorf("response = %v, want the cached result", resp)
	}
	if l := e.worker("w").lease(0); l != nil {
		t.Errorf("a cache hit was queued too: %v", l)
	}
}

func TestSkipCacheLookupRuns(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	res, _ := e.worker("w").result(0, "cached")
	if err := e.ac.Put(ctx, cas.ActionKey{Key: cas.Key{Function: digest.SHA256, Digest: d}}, res); err != nil {
		t.Fatal(err)
	}
	stream := e.execute(ctx, d, func(r *repb.ExecuteRequest) { r.SkipCacheLookup = true })
	recv(t, stream, repb.ExecutionStage_QUEUED)
	w := e.worker("w")
	w.mustComplete(w.mustLease(), 0)
	if resp := finish(t, stream); resp.GetCachedResult() {
		t.Errorf("skip_cache_lookup answered from the cache: %v", resp)
	}
}

func TestIdenticalExecutesMerge(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	s1 := e.execute(ctx, d, nil)
	op1 := recv(t, s1, repb.ExecutionStage_QUEUED)
	s2 := e.execute(ctx, d, nil)
	op2 := recv(t, s2, repb.ExecutionStage_QUEUED)
	if op1.GetName() == op2.GetName() {
		t.Errorf("two Executes share operation name %q", op1.GetName())
	}
	w := e.worker("w")
	l := w.mustLease()
	if extra := e.worker("w2").lease(50 * time.Millisecond); extra != nil {
		t.Fatalf("identical action leased twice: %v", extra)
	}
	want := w.mustComplete(l, 0)
	for _, s := range []opStream{s1, s2} {
		if resp := finish(t, s); !proto.Equal(asReported(t, resp.GetResult()), want) {
			t.Errorf("merged watcher got %v, want %v", resp.GetResult(), want)
		}
	}
}

func TestDoNotCacheIsNeitherMergedNorCached(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{doNotCache: true})
	s1 := e.execute(ctx, d, nil)
	recv(t, s1, repb.ExecutionStage_QUEUED)
	s2 := e.execute(ctx, d, nil)
	recv(t, s2, repb.ExecutionStage_QUEUED)
	w := e.worker("w")
	l1, l2 := w.mustLease(), w.mustLease()
	w.mustComplete(l1, 0)
	w.mustComplete(l2, 0)
	finish(t, s1)
	finish(t, s2)
	_, err := e.ac.Get(ctx, cas.ActionKey{Key: cas.Key{Function: digest.SHA256, Digest: d}})
	wantCode(t, err, codes.NotFound)
}

func TestNonZeroExitIsNotCached(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	w := e.worker("w")
	for i := range 2 {
		stream := e.execute(ctx, d, nil)
		recv(t, stream, repb.ExecutionStage_QUEUED)
		w.mustComplete(w.mustLease(), 1)
		resp := finish(t, stream)
		if resp.GetStatus().GetCode() != 0 || resp.GetResult().GetExitCode() != 1 || resp.GetCachedResult() {
			t.Fatalf("run %d: response %v, want status OK, exit 1, not cached", i, resp)
		}
	}
	_, err := e.ac.Get(ctx, cas.ActionKey{Key: cas.Key{Function: digest.SHA256, Digest: d}})
	wantCode(t, err, codes.NotFound)
}

// A result cached under instance "a" answers Execute under "a" only; under
// "b" the action is queued.
func TestCacheIsPerInstance(t *testing.T) {
	e := newEnv(t, fastOptions())
	ctx := ctxT(t)
	d := e.action(spec{})
	res, _ := e.worker("w").result(0, "cached")
	if err := e.ac.Put(ctx, cas.ActionKey{Instance: "a", Key: cas.Key{Function: digest.SHA256, Digest: d}}, res); err != nil {
		t.Fatal(err)
	}
	under := func(inst string) func(*repb.ExecuteRequest) {
		return func(r *repb.ExecuteRequest) { r.InstanceName = inst }
	}
	if resp := finish(t, e.execute(ctx, d, under("a"))); !resp.GetCachedResult() {
		t.Errorf("under a: %v, want the cached result", resp)
	}
	recv(t, e.execute(ctx, d, under("b")), repb.ExecutionStage_QUEUED)
}

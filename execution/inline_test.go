package execution

import (
	"bytes"
	"context"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/metadata"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// TestExecuteInlinesWhenAsked: a caller that sends client.InlineOutputsHeader
// gets the output files, stdout and stderr inline in the ExecuteResponse,
// from a run and from the cache; one that does not gets digests alone, and
// the action cache keeps no contents either way.
func TestExecuteInlinesWhenAsked(t *testing.T) {
	e := newEnv(t, fastOptions())
	d := e.action(spec{})
	asking := metadata.AppendToOutgoingContext(ctxT(t), client.InlineOutputsHeader, "1")
	ran := e.execute(asking, d, nil)
	plain := e.execute(ctxT(t), d, nil)
	// Both watch the one job before it runs: a call that came after it
	// finished could miss the cache a moment before it is written.
	recv(t, ran, repb.ExecutionStage_QUEUED)
	recv(t, plain, repb.ExecutionStage_QUEUED)
	w := e.worker("w")
	want := w.mustComplete(w.mustLease(), 0)
	wantInline(t, "a run", e, finish(t, ran).GetResult(), want)
	if r := finish(t, plain).GetResult(); inlineParts(r) != 0 || !bytes.Equal(r.GetStdoutRaw(), want.GetStdoutRaw()) {
		t.Errorf("not asked: %d parts inline, stdout %q; want only the worker's own stdout", inlineParts(r), r.GetStdoutRaw())
	}
	wantInline(t, "a cache hit", e, finish(t, e.execute(asking, d, nil)).GetResult(), want)
	cached, err := e.ac.Get(ctxT(t), cas.ActionKey{Key: cas.Key{Function: digest.SHA256, Digest: d}})
	if err != nil || cached.GetOutputFiles()[0].GetContents() != nil {
		t.Errorf("the action cache's copy: %v, %v; want one without contents", cached, err)
	}
}

// wantInline checks that got is want with every output file's contents
// inline, as the store holds them.
func wantInline(t *testing.T, what string, e *env, got, want *repb.ActionResult) {
	t.Helper()
	if len(got.GetOutputFiles()) != len(want.GetOutputFiles()) || !bytes.Equal(got.GetStdoutRaw(), want.GetStdoutRaw()) {
		t.Fatalf("%s: result %v, want %v", what, got, want)
	}
	for _, f := range got.GetOutputFiles() {
		d, _ := digest.FromProto(f.GetDigest())
		if b := e.read(d); len(f.GetContents()) == 0 || !bytes.Equal(f.GetContents(), b) {
			t.Errorf("%s: %s inline %q, want %q", what, f.GetPath(), f.GetContents(), b)
		}
	}
}

// inlineParts counts the output files that carry contents.
func inlineParts(r *repb.ActionResult) int {
	n := 0
	for _, f := range r.GetOutputFiles() {
		if f.GetContents() != nil {
			n++
		}
	}
	return n
}

func (e *env) read(d digest.Digest) []byte {
	e.t.Helper()
	b, err := e.s.readBlob(context.Background(), cas.Key{Function: digest.SHA256, Digest: d})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

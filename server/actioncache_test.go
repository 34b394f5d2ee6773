package server

import (
	"context"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

func TestActionCacheRoundTripInlines(t *testing.T) {
	e := start(t, nil, Options{})
	ctx := context.Background()
	obj, out := putBlob(t, e, "object code"), putBlob(t, e, "compiler chatter")
	action := digest.SHA256.FromBytes([]byte("an action")).Proto()
	result := &repb.ActionResult{
		ExitCode:     1,
		OutputFiles:  []*repb.OutputFile{{Path: "obj/a.o", Digest: obj.Proto()}, {Path: "a.d", Digest: out.Proto()}},
		StdoutDigest: out.Proto(),
	}
	if _, err := e.ac.UpdateActionResult(ctx, &repb.UpdateActionResultRequest{InstanceName: "x", ActionDigest: action, ActionResult: result}); err != nil {
		t.Fatal(err)
	}
	got, err := e.ac.GetActionResult(ctx, &repb.GetActionResultRequest{
		InstanceName: "x", ActionDigest: action, InlineStdout: true, InlineOutputFiles: []string{"obj/a.o"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetExitCode() != 1 || string(got.GetStdoutRaw()) != "compiler chatter" ||
		string(got.GetOutputFiles()[0].GetContents()) != "object code" || got.GetOutputFiles()[1].GetContents() != nil {
		t.Errorf("GetActionResult = %v", got)
	}
	plain, err := e.ac.GetActionResult(ctx, &repb.GetActionResultRequest{InstanceName: "x", ActionDigest: action})
	if err != nil || plain.GetStdoutRaw() != nil || plain.GetOutputFiles()[0].GetContents() != nil {
		t.Errorf("GetActionResult without inlining = %v, %v", plain, err)
	}
	_, err = e.ac.GetActionResult(ctx, &repb.GetActionResultRequest{InstanceName: "x", ActionDigest: action, DigestFunction: repb.DigestFunction_BLAKE3})
	if status.Code(err) != codes.NotFound {
		t.Errorf("same hash under BLAKE3: %v, want NotFound", err)
	}
}

func TestActionCacheRejectsEscapingPaths(t *testing.T) {
	e := start(t, nil, Options{})
	obj := putBlob(t, e, "object code")
	for _, p := range []string{"../x", "/abs/a.o"} {
		_, err := e.ac.UpdateActionResult(context.Background(), &repb.UpdateActionResultRequest{
			ActionDigest: sha("action " + p),
			ActionResult: &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: p, Digest: obj.Proto()}}},
		})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("output path %q: %v, want InvalidArgument", p, err)
		}
	}
	_, err := e.ac.UpdateActionResult(context.Background(), &repb.UpdateActionResultRequest{
		ActionDigest: sha("action missing"),
		ActionResult: &repb.ActionResult{StdoutDigest: sha("never uploaded")},
	})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("result referencing a missing blob: %v, want FailedPrecondition", err)
	}
}

// Over gRPC with a 300-byte disk store: a hit refreshes the result's
// output, so newer blobs go first; without hits the output is evicted and
// GetActionResult turns into a miss instead of returning a dangling result.
func TestActionCacheMissAfterEviction(t *testing.T) {
	store, err := cas.OpenDiskStore(t.TempDir(), cas.DiskOptions{MaxSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, store, Options{})
	ctx := context.Background()
	fill := func(c string) { putBlob(t, e, strings.Repeat(c, 100)) }
	out := putBlob(t, e, strings.Repeat("o", 100))
	action := sha("compile a.c")
	if _, err := e.ac.UpdateActionResult(ctx, &repb.UpdateActionResultRequest{ActionDigest: action,
		ActionResult: &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "a.o", Digest: out.Proto()}}}}); err != nil {
		t.Fatal(err)
	}
	get := func() error {
		_, err := e.ac.GetActionResult(ctx, &repb.GetActionResultRequest{ActionDigest: action})
		return err
	}
	fill("a")
	fill("b") // store: b a out
	if err := get(); err != nil {
		t.Fatalf("hit: %v", err)
	}
	fill("c") // the hit made out newest: a is evicted, not out
	if err := get(); err != nil {
		t.Fatalf("output evicted despite the hit: %v", err)
	}
	fill("d")
	fill("e")
	fill("f") // no hits since: out is evicted
	if err := get(); status.Code(err) != codes.NotFound {
		t.Errorf("GetActionResult with evicted output: %v, want NotFound", err)
	}
}

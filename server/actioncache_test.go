package server

import (
	"context"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
		InstanceName: "another", ActionDigest: action, InlineStdout: true, InlineOutputFiles: []string{"obj/a.o"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetExitCode() != 1 || string(got.GetStdoutRaw()) != "compiler chatter" ||
		string(got.GetOutputFiles()[0].GetContents()) != "object code" || got.GetOutputFiles()[1].GetContents() != nil {
		t.Errorf("GetActionResult = %v", got)
	}
	plain, err := e.ac.GetActionResult(ctx, &repb.GetActionResultRequest{ActionDigest: action})
	if err != nil || plain.GetStdoutRaw() != nil || plain.GetOutputFiles()[0].GetContents() != nil {
		t.Errorf("GetActionResult without inlining = %v, %v", plain, err)
	}
	_, err = e.ac.GetActionResult(ctx, &repb.GetActionResultRequest{ActionDigest: action, DigestFunction: repb.DigestFunction_BLAKE3})
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

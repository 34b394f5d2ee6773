package client

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/rexbuild/rex/digest"
)

type opServer = grpc.ServerStreamingServer[longrunningpb.Operation]

func doneOp(t *testing.T, name string, resp *repb.ExecuteResponse) *longrunningpb.Operation {
	t.Helper()
	a, err := anypb.New(resp)
	if err != nil {
		t.Fatal(err)
	}
	return &longrunningpb.Operation{Name: name, Done: true, Result: &longrunningpb.Operation_Response{Response: a}}
}

var testAction = digest.SHA256.FromBytes([]byte("action"))

// TestExecuteResumesWithWaitExecution drops the Execute stream once with
// UNAVAILABLE and once by ending it early; the client must resume with
// WaitExecution on the operation name each time, not execute again.
func TestExecuteResumesWithWaitExecution(t *testing.T) {
	f := newFake()
	var executes, waits atomic.Int32
	f.execute = func(req *repb.ExecuteRequest, s opServer) error {
		executes.Add(1)
		if !req.GetSkipCacheLookup() || req.GetExecutionPolicy().GetPriority() != 3 {
			t.Errorf("request options lost: %v", req)
		}
		s.Send(&longrunningpb.Operation{Name: "op-1"})
		return status.Error(codes.Unavailable, "dropped")
	}
	f.wait = func(req *repb.WaitExecutionRequest, s opServer) error {
		if req.GetName() != "op-1" {
			t.Errorf("WaitExecution(%q), want op-1", req.GetName())
		}
		if waits.Add(1) == 1 {
			return s.Send(&longrunningpb.Operation{Name: "op-1"}) // ends before done
		}
		return s.Send(doneOp(t, "op-1", &repb.ExecuteResponse{Result: &repb.ActionResult{ExitCode: 7}}))
	}
	c := f.start(t, Config{})
	resp, err := c.Execute(context.Background(), testAction, ExecuteOptions{SkipCacheLookup: true, Priority: 3})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetResult().GetExitCode() != 7 {
		t.Errorf("exit code %d, want 7 (a failed command is a result)", resp.GetResult().GetExitCode())
	}
	if executes.Load() != 1 || waits.Load() != 2 {
		t.Errorf("%d Execute and %d WaitExecution calls, want 1 and 2", executes.Load(), waits.Load())
	}
}

// TestExecuteReexecutesLostOperation: a server that forgot the operation
// (WaitExecution NotFound) gets a fresh Execute.
func TestExecuteReexecutesLostOperation(t *testing.T) {
	f := newFake()
	var executes atomic.Int32
	f.execute = func(req *repb.ExecuteRequest, s opServer) error {
		if executes.Add(1) == 1 {
			s.Send(&longrunningpb.Operation{Name: "op-1"})
			return status.Error(codes.Unavailable, "restarting")
		}
		return s.Send(doneOp(t, "op-2", &repb.ExecuteResponse{Result: &repb.ActionResult{}}))
	}
	c := f.start(t, Config{})
	if _, err := c.Execute(context.Background(), testAction, ExecuteOptions{}); err != nil {
		t.Fatal(err)
	}
	if executes.Load() != 2 {
		t.Fatalf("%d Execute calls, want 2", executes.Load())
	}
}

func TestExecuteStatusErrors(t *testing.T) {
	f := newFake()
	missing := digest.SHA256.FromBytes([]byte("input"))
	pf, _ := anypb.New(&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{
		{Type: "MISSING", Subject: "blobs/" + missing.String()}}})
	var next *longrunningpb.Operation
	f.execute = func(req *repb.ExecuteRequest, s opServer) error { return s.Send(next) }
	c := f.start(t, Config{})
	ctx := context.Background()

	next = doneOp(t, "op", &repb.ExecuteResponse{Status: status.New(codes.DeadlineExceeded, "action timed out").Proto(),
		Result: &repb.ActionResult{ExitCode: -1}})
	resp, err := c.Execute(ctx, testAction, ExecuteOptions{})
	if status.Code(err) != codes.DeadlineExceeded || resp == nil {
		t.Errorf("non-OK status: (%v, %v), want DeadlineExceeded with the response", resp, err)
	}
	if IsMissingBlobs(err) {
		t.Errorf("timeout taken for missing blobs")
	}

	st := status.New(codes.FailedPrecondition, "missing inputs").Proto()
	st.Details = append(st.Details, pf)
	next = doneOp(t, "op", &repb.ExecuteResponse{Status: st})
	_, err = c.Execute(ctx, testAction, ExecuteOptions{})
	if !IsMissingBlobs(err) {
		t.Errorf("missing blobs not recognised: %v", err)
	}
	if got := MissingBlobs(err); len(got) != 1 || got[0] != missing {
		t.Errorf("MissingBlobs = %v, want [%s]", got, missing)
	}
	b3 := status.New(codes.FailedPrecondition, "missing").Proto()
	b3pf, _ := anypb.New(&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{
		{Type: "MISSING", Subject: digest.ReadName("", digest.BLAKE3, missing, "")}}})
	b3.Details = append(b3.Details, b3pf)
	if got := MissingBlobs(status.ErrorProto(b3)); len(got) != 1 || got[0] != missing {
		t.Errorf("MissingBlobs(BLAKE3 subject) = %v", got)
	}

	next = &longrunningpb.Operation{Name: "op", Done: true, Result: &longrunningpb.Operation_Error{
		Error: status.New(codes.PermissionDenied, "no").Proto()}}
	if _, err := c.Execute(ctx, testAction, ExecuteOptions{}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("operation error: %v, want PermissionDenied", err)
	}
}

func TestActionCacheAndMetadata(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{Instance: "inst", ToolVersion: "1.2", InvocationID: "inv-1",
		Headers: map[string]string{"Authorization": "Bearer t"}})
	ctx := WithActionID(context.Background(), "act-9")
	r, err := c.GetActionResult(ctx, testAction, nil)
	if r != nil || err != nil {
		t.Fatalf("miss: (%v, %v), want (nil, nil)", r, err)
	}
	if err := c.UpdateActionResult(ctx, testAction, &repb.ActionResult{ExitCode: 2}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.GetActionResult(ctx, testAction, []string{"a.o"}); err != nil || r.GetExitCode() != 2 {
		t.Fatalf("hit: (%v, %v)", r, err)
	}
	for _, md := range f.md {
		raw := md.Get(requestMetadataKey)
		if len(raw) != 1 || md.Get("authorization")[0] != "Bearer t" {
			t.Fatalf("headers missing: %v", md)
		}
		rm := &repb.RequestMetadata{}
		if err := proto.Unmarshal([]byte(raw[0]), rm); err != nil {
			t.Fatal(err)
		}
		if rm.GetToolDetails().GetToolName() != "rex" || rm.GetToolDetails().GetToolVersion() != "1.2" ||
			rm.GetToolInvocationId() != "inv-1" || rm.GetActionId() != "act-9" {
			t.Errorf("RequestMetadata = %v", rm)
		}
	}
}

func TestFunctionChoice(t *testing.T) {
	f := newFake()
	ctx := context.Background()
	if fn, err := f.start(t, Config{}).Function(ctx); fn != digest.SHA256 || err != nil || f.capsCalls != 0 {
		t.Errorf("default: %v %v after %d Capabilities calls, want sha256 without any", fn, err, f.capsCalls)
	}
	if fn, _ := f.start(t, Config{DigestFunction: digest.BLAKE3}).Function(ctx); fn != digest.SHA256 {
		t.Errorf("server without BLAKE3: got %v, want sha256", fn)
	}
	f.caps.CacheCapabilities.DigestFunctions = append(f.caps.CacheCapabilities.DigestFunctions, repb.DigestFunction_BLAKE3)
	if fn, _ := f.start(t, Config{DigestFunction: digest.BLAKE3}).Function(ctx); fn != digest.BLAKE3 {
		t.Errorf("server with BLAKE3: got %v", fn)
	}
}

func TestTokenSentAsBearer(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{Token: "s3cret", Headers: map[string]string{"x-team": "a"}})
	if _, err := c.GetActionResult(context.Background(), testAction, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.md) == 0 {
		t.Fatal("no call reached the server")
	}
	for _, md := range f.md {
		if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer s3cret" || md.Get("x-team")[0] != "a" {
			t.Errorf("headers %v: want one Bearer s3cret and x-team", md)
		}
	}
	if _, err := Dial(context.Background(), Config{Server: "grpc://127.0.0.1:1", Token: "t",
		Headers: map[string]string{"Authorization": "Bearer u"}}); err == nil {
		t.Error("a token and an authorization header were both accepted")
	}
}

// A second client (a second rex process) reads the Capabilities the first
// stored, until they are too old or forgotten.
func TestCapabilitiesKeptBetweenClients(t *testing.T) {
	f := newFake()
	f.caps.CacheCapabilities.DigestFunctions = append(f.caps.CacheCapabilities.DigestFunctions, repb.DigestFunction_BLAKE3)
	ctx := context.Background()
	cfg := Config{DigestFunction: digest.BLAKE3, CapabilitiesFile: filepath.Join(t.TempDir(), "caps"), CapabilitiesMaxAge: time.Hour}
	for i := 0; i < 3; i++ {
		if fn, err := f.start(t, cfg).Function(ctx); fn != digest.BLAKE3 || err != nil {
			t.Fatalf("client %d: %v, %v", i, fn, err)
		}
	}
	if f.capsCalls != 1 {
		t.Errorf("%d Capabilities calls for three clients, want 1", f.capsCalls)
	}
	c := f.start(t, cfg)
	c.ForgetCapabilities()
	c.Function(ctx)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(cfg.CapabilitiesFile, old, old)
	f.start(t, cfg).Function(ctx)
	if f.capsCalls != 3 {
		t.Errorf("%d Capabilities calls, want 3: a forgotten and a stale file are asked again", f.capsCalls)
	}
}

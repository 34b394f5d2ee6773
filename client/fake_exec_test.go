package client

import (
	"context"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// The fake's Capabilities, ActionCache and Execution services.

func (f *fakeServer) GetCapabilities(context.Context, *repb.GetCapabilitiesRequest) (*repb.ServerCapabilities, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.capsCalls++
	return f.caps, nil
}

func (f *fakeServer) GetActionResult(_ context.Context, req *repb.GetActionResultRequest) (*repb.ActionResult, error) {
	d, _ := digest.FromProto(req.GetActionDigest())
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.ac[d]; ok {
		return r, nil
	}
	return nil, status.Error(codes.NotFound, "miss")
}

func (f *fakeServer) UpdateActionResult(_ context.Context, req *repb.UpdateActionResultRequest) (*repb.ActionResult, error) {
	d, _ := digest.FromProto(req.GetActionDigest())
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ac[d] = req.GetActionResult()
	return req.GetActionResult(), nil
}

func (f *fakeServer) Execute(req *repb.ExecuteRequest, s grpc.ServerStreamingServer[longrunningpb.Operation]) error {
	return f.execute(req, s)
}

func (f *fakeServer) WaitExecution(req *repb.WaitExecutionRequest, s grpc.ServerStreamingServer[longrunningpb.Operation]) error {
	if f.wait == nil {
		return status.Error(codes.NotFound, "no such operation")
	}
	return f.wait(req, s)
}

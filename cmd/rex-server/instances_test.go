package main

import (
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestInstanceNames(t *testing.T) {
	served := instanceNames{"main", "team/a"}
	for _, tc := range []struct {
		msg  any
		want codes.Code
	}{
		{&repb.GetActionResultRequest{InstanceName: "main"}, codes.OK},
		{&repb.GetActionResultRequest{InstanceName: "mian"}, codes.InvalidArgument},
		{&repb.ExecuteRequest{InstanceName: ""}, codes.InvalidArgument},
		{&bytestream.ReadRequest{ResourceName: "team/a/blobs/abc/3"}, codes.OK},
		{&bytestream.ReadRequest{ResourceName: "blobs/abc/3"}, codes.InvalidArgument},
		{&bytestream.WriteRequest{ResourceName: "main/uploads/u/compressed-blobs/zstd/abc/3"}, codes.OK},
		{&bytestream.WriteRequest{ResourceName: "other/uploads/u/blobs/abc/3"}, codes.InvalidArgument},
		{&bytestream.WriteRequest{}, codes.OK}, // a later message of the stream
	} {
		if got := status.Code(served.check(tc.msg)); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.msg, got, tc.want)
		}
	}
	if err := (instanceNames{}).check(&repb.ExecuteRequest{InstanceName: "any"}); err != nil {
		t.Errorf("with no names given, every instance is served: %v", err)
	}
}

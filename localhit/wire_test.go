package localhit

import (
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
)

// The lookup and the request metadata, written by hand, read as the
// generated code reads them.
func TestWireMessagesReadAsGenerated(t *testing.T) {
	action := digest.SHA256.FromBytes([]byte("action"))
	var req repb.GetActionResultRequest
	if err := proto.Unmarshal(GetActionResultRequest("main", action, digest.SHA256, []string{"a.o", "a.d"}), &req); err != nil {
		t.Fatal(err)
	}
	if req.GetInstanceName() != "main" || req.GetActionDigest().GetHash() != action.Hash || req.GetActionDigest().GetSizeBytes() != action.Size ||
		!req.GetInlineStdout() || !req.GetInlineStderr() || len(req.GetInlineOutputFiles()) != 2 ||
		req.GetInlineOutputFiles()[1] != "a.d" || req.GetDigestFunction() != repb.DigestFunction_SHA256 {
		t.Errorf("GetActionResultRequest reads as %v", &req)
	}
	var md repb.RequestMetadata
	if err := proto.Unmarshal(RequestMetadata("rex", "1.2", "abc"), &md); err != nil {
		t.Fatal(err)
	}
	if md.GetToolDetails().GetToolName() != "rex" || md.GetToolDetails().GetToolVersion() != "1.2" || md.GetActionId() != "abc" {
		t.Errorf("RequestMetadata reads as %v", &md)
	}
}

package conformance

import (
	"bytes"
	"context"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/digest"
)

// uniqueAction stores a Command and an Action no other run has (the salt is
// random) and returns the Action's digest. The Command names its outputs
// both the v2.0 way and the v2.1 way so any server accepts it.
func (s *session) uniqueAction(t *testing.T, c context.Context, outputs ...string) digest.Digest {
	t.Helper()
	cmd := &repb.Command{
		Arguments:   []string{"/bin/sh", "-c", "exit 0"},
		OutputFiles: outputs,
		OutputPaths: outputs,
	}
	cd := s.putMessage(t, c, cmd)
	root := s.putMessage(t, c, &repb.Directory{})
	return s.putMessage(t, c, &repb.Action{
		CommandDigest:   cd.Proto(),
		InputRootDigest: root.Proto(),
		Salt:            randomBytes(t, 16),
		Timeout:         durationpb.New(time.Minute),
	})
}

func (s *session) getResult(c context.Context, action digest.Digest) (*repb.ActionResult, error) {
	return s.ac.GetActionResult(c, &repb.GetActionResultRequest{
		InstanceName: s.instance, ActionDigest: action.Proto(), DigestFunction: s.fnField(),
	})
}

func (s *session) updateResult(c context.Context, action digest.Digest, r *repb.ActionResult) (*repb.ActionResult, error) {
	return s.ac.UpdateActionResult(c, &repb.UpdateActionResultRequest{
		InstanceName: s.instance, ActionDigest: action.Proto(), ActionResult: r, DigestFunction: s.fnField(),
	})
}

// testActionCacheMiss: "NOT_FOUND: The requested ActionResult is not in the cache."
func testActionCacheMiss(t *testing.T, s *session) {
	c := ctx(t)
	_, err := s.getResult(c, s.fn.FromBytes(randomBytes(t, 40)))
	wantCode(t, "GetActionResult of an unknown action", err, codes.NotFound)
}

// testActionCacheRoundTrip: a result stored with UpdateActionResult comes
// back from GetActionResult. "Server implementations MAY modify the
// action_result and return an equivalent value": inline stdout may come back
// as a digest, so contents are compared, not encodings.
func testActionCacheRoundTrip(t *testing.T, s *session) {
	c := ctx(t)
	out, stderr := randomBytes(t, 1000), []byte("warning: conformance\n")
	ds := s.batchUpdate(t, c, out, stderr)
	action := s.uniqueAction(t, c, "out/obj.o")
	stdout := []byte("hello from the action cache\n")
	want := &repb.ActionResult{
		OutputFiles:  []*repb.OutputFile{{Path: "out/obj.o", Digest: ds[0].Proto(), IsExecutable: true}},
		ExitCode:     0,
		StdoutRaw:    stdout,
		StdoutDigest: s.putBlobDigest(t, c, stdout),
		StderrDigest: ds[1].Proto(),
	}
	if _, err := s.updateResult(c, action, want); err != nil {
		t.Fatalf("UpdateActionResult: %v", err)
	}
	got, err := s.getResult(c, action)
	if err != nil {
		t.Fatalf("GetActionResult after update: %v", err)
	}
	if len(got.GetOutputFiles()) != 1 {
		t.Fatalf("output_files = %v, want one", got.GetOutputFiles())
	}
	f := got.GetOutputFiles()[0]
	if f.GetPath() != "out/obj.o" || f.GetDigest().GetHash() != ds[0].Hash || f.GetDigest().GetSizeBytes() != ds[0].Size || !f.GetIsExecutable() {
		t.Errorf("output file = %v, want out/obj.o %s executable", f, ds[0])
	}
	if got.GetExitCode() != 0 {
		t.Errorf("exit_code = %d", got.GetExitCode())
	}
	if b := s.blobContent(t, c, got.GetStdoutRaw(), got.GetStdoutDigest()); !bytes.Equal(b, stdout) {
		t.Errorf("stdout = %q, want %q", b, stdout)
	}
	if b := s.blobContent(t, c, got.GetStderrRaw(), got.GetStderrDigest()); !bytes.Equal(b, stderr) {
		t.Errorf("stderr = %q, want %q", b, stderr)
	}
}

// putBlobDigest stores b and returns its digest proto.
func (s *session) putBlobDigest(t *testing.T, c context.Context, b []byte) *repb.Digest {
	t.Helper()
	return s.batchUpdate(t, c, b)[0].Proto()
}

// testActionCacheDangling: a result whose output blob is not in the CAS.
// GetActionResult: "Implementations SHOULD ensure that any blobs referenced
// from the ContentAddressableStorage are available at the time of returning
// the ActionResult". A client that trusts the hit then fails to download
// its outputs, so the answer is NOT_FOUND (or the update is refused); see
// pointDanglingResult for peers that return it anyway.
func testActionCacheDangling(t *testing.T, s *session) {
	c := ctx(t)
	ghost := s.fn.FromBytes(randomBytes(t, 77)) // never uploaded
	action := s.uniqueAction(t, c, "ghost.o")
	r := &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "ghost.o", Digest: ghost.Proto()}}}
	if _, err := s.updateResult(c, action, r); err != nil {
		wantCode(t, "UpdateActionResult with a missing output blob", err,
			codes.FailedPrecondition, codes.InvalidArgument, codes.NotFound)
		return
	}
	_, err := s.getResult(c, action)
	wantAt(t, s, pointDanglingResult, "GetActionResult whose output blob is missing", err, codes.NotFound)
}

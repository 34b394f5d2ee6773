package conformance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"testing"
	"time"

	lpb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/digest"
)

// actionSpec describes one action to store and run.
type actionSpec struct {
	script  string            // run by /bin/sh -c
	env     map[string]string // besides PATH
	inputs  map[string][]byte // files at the top of the input root
	command func(*repb.Command)
}

// storeAction uploads inputs, the input root, the Command and the Action.
// The Action's salt is random so no earlier run can answer from cache.
func (s *session) storeAction(t *testing.T, c context.Context, a actionSpec) digest.Digest {
	t.Helper()
	root := &repb.Directory{}
	for _, name := range slices.Sorted(maps.Keys(a.inputs)) {
		d := s.batchUpdate(t, c, a.inputs[name])[0]
		root.Files = append(root.Files, &repb.FileNode{Name: name, Digest: d.Proto()})
	}
	env := map[string]string{"PATH": "/usr/bin:/bin"}
	for k, v := range a.env {
		env[k] = v
	}
	cmd := &repb.Command{Arguments: []string{"/bin/sh", "-c", a.script}}
	for _, k := range slices.Sorted(maps.Keys(env)) { // the spec requires them sorted by name
		cmd.EnvironmentVariables = append(cmd.EnvironmentVariables, &repb.Command_EnvironmentVariable{Name: k, Value: env[k]})
	}
	if a.command != nil {
		a.command(cmd)
	}
	return s.putMessage(t, c, &repb.Action{
		CommandDigest:   s.putMessage(t, c, cmd).Proto(),
		InputRootDigest: s.putMessage(t, c, root).Proto(),
		Salt:            randomBytes(t, 16),
		Timeout:         durationpb.New(time.Minute),
	})
}

// execute runs Execute and follows the Operation stream to the end. If the
// stream ends early it continues with WaitExecution, as the spec allows.
// A gRPC error (operation creation failed) is returned as err.
func (s *session) execute(t *testing.T, c context.Context, action digest.Digest) (*repb.ExecuteResponse, error) {
	t.Helper()
	stream, err := s.exec.Execute(c, &repb.ExecuteRequest{
		InstanceName: s.instance, ActionDigest: action.Proto(), DigestFunction: s.fnField(),
	})
	if err != nil {
		return nil, err
	}
	for range 3 {
		name, resp, err := s.follow(t, stream)
		if err != nil || resp != nil {
			return resp, err
		}
		if name == "" {
			t.Fatal("Operation stream ended before any operation was sent")
		}
		t.Logf("stream for %s ended before completion; WaitExecution", name)
		stream, err = s.exec.WaitExecution(c, &repb.WaitExecutionRequest{Name: name})
		if err != nil {
			return nil, err
		}
	}
	t.Fatal("operation never completed")
	return nil, nil
}

type opStream interface {
	Recv() (*lpb.Operation, error)
}

// follow reads operations until one is done; it returns the operation name
// and a nil response if the stream ends first.
func (s *session) follow(t *testing.T, stream opStream) (string, *repb.ExecuteResponse, error) {
	t.Helper()
	var name string
	for {
		op, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return name, nil, nil
		}
		if err != nil {
			return name, nil, err
		}
		name = op.GetName()
		if md := op.GetMetadata(); md != nil {
			var m repb.ExecuteOperationMetadata
			if err := md.UnmarshalTo(&m); err != nil {
				t.Errorf("operation metadata is %s, not ExecuteOperationMetadata", md.GetTypeUrl())
			}
		}
		if !op.GetDone() {
			continue
		}
		if op.GetError() != nil {
			// "The server MUST NOT set the error field of the Operation proto."
			t.Errorf("operation %s has error set: %v", name, op.GetError())
			return name, nil, status.ErrorProto(op.GetError())
		}
		var resp repb.ExecuteResponse
		if err := op.GetResponse().UnmarshalTo(&resp); err != nil {
			t.Fatalf("done operation's response is not an ExecuteResponse: %v", err)
		}
		return name, &resp, nil
	}
}

// testExecuteNonZeroExit: a command that fails is a result, not an error:
// ExecuteResponse.status OK, exit_code and outputs as the command left them.
func testExecuteNonZeroExit(t *testing.T, s *session) {
	c := ctx(t)
	in := []byte("input seen by the action\n")
	action := s.storeAction(t, c, actionSpec{
		script: "cat in.txt; echo oops >&2; exit 3",
		inputs: map[string][]byte{"in.txt": in},
	})
	resp, err := s.execute(t, c, action)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if err := status.FromProto(resp.GetStatus()).Err(); err != nil {
		t.Fatalf("ExecuteResponse.status = %v, want OK: a non-zero exit is a result", err)
	}
	r := resp.GetResult()
	if r.GetExitCode() != 3 {
		t.Errorf("exit_code = %d, want 3", r.GetExitCode())
	}
	if b := s.blobContent(t, c, r.GetStdoutRaw(), r.GetStdoutDigest()); !bytes.Equal(b, in) {
		t.Errorf("stdout = %q, want %q", b, in)
	}
	if b := s.blobContent(t, c, r.GetStderrRaw(), r.GetStderrDigest()); string(b) != "oops\n" {
		t.Errorf("stderr = %q, want %q", b, "oops\n")
	}
	if resp.GetCachedResult() {
		t.Errorf("cached_result set for an action never run before")
	}
}

// testExecuteOutputsV20 is what Bazel 2.x sends: the v2.0 output_files and
// output_directories fields, and PWD=/proc/self/cwd in the environment.
// Run twice: the second answer should come from the action cache (see
// pointExecuteCacheLookup).
func testExecuteOutputsV20(t *testing.T, s *session) {
	c := ctx(t)
	action := s.storeAction(t, c, actionSpec{
		script: `set -e; test -f "$PWD/in.txt"; mkdir -p out outdir/sub; printf A > out/a.txt; chmod +x out/a.txt; printf B > outdir/sub/b.txt`,
		env:    map[string]string{"PWD": "/proc/self/cwd"},
		inputs: map[string][]byte{"in.txt": []byte("x")},
		command: func(cmd *repb.Command) {
			cmd.OutputFiles = []string{"out/a.txt"}
			cmd.OutputDirectories = []string{"outdir"}
		},
	})
	first := s.runOK(t, c, action)
	s.checkOutputs(t, c, first.GetResult(), "out/a.txt", "outdir")
	second := s.runOK(t, c, action)
	if _, ok := deviates(s, pointExecuteCacheLookup); ok == second.GetCachedResult() {
		t.Errorf("second Execute of a successful cacheable action: cached_result %v (peer %q)", second.GetCachedResult(), s.peer)
	}
	s.checkOutputs(t, c, second.GetResult(), "out/a.txt", "outdir")
	if _, err := s.getResult(c, action); err != nil {
		t.Errorf("GetActionResult after a successful Execute: %v", err)
	}
}

// testExecuteOutputPaths: the v2.1 output_paths field; the server sorts the
// outputs into files and directories by what the command created.
func testExecuteOutputPaths(t *testing.T, s *session) {
	c := ctx(t)
	action := s.storeAction(t, c, actionSpec{
		script: `set -e; mkdir -p out pdir/sub; printf A > out/a.txt; chmod +x out/a.txt; printf B > pdir/sub/b.txt`,
		command: func(cmd *repb.Command) {
			cmd.OutputPaths = []string{"out/a.txt", "pdir"}
		},
	})
	resp := s.runOK(t, c, action)
	s.checkOutputs(t, c, resp.GetResult(), "out/a.txt", "pdir")
}

// runOK executes and requires status OK and exit code 0.
func (s *session) runOK(t *testing.T, c context.Context, action digest.Digest) *repb.ExecuteResponse {
	t.Helper()
	resp, err := s.execute(t, c, action)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if err := status.FromProto(resp.GetStatus()).Err(); err != nil {
		t.Fatalf("ExecuteResponse.status: %v", err)
	}
	if r := resp.GetResult(); r.GetExitCode() != 0 {
		stderr := s.blobContent(t, c, r.GetStderrRaw(), r.GetStderrDigest())
		t.Fatalf("exit code %d, stderr %q", r.GetExitCode(), stderr)
	}
	return resp
}

// checkOutputs: file holds "A" and is executable; dir is a Tree whose
// sub/b.txt holds "B".
func (s *session) checkOutputs(t *testing.T, c context.Context, r *repb.ActionResult, file, dir string) {
	t.Helper()
	if len(r.GetOutputFiles()) != 1 || r.GetOutputFiles()[0].GetPath() != file {
		t.Fatalf("output_files = %v, want just %s", r.GetOutputFiles(), file)
	}
	f := r.GetOutputFiles()[0]
	if b := s.blobContent(t, c, f.GetContents(), f.GetDigest()); string(b) != "A" || !f.GetIsExecutable() {
		t.Errorf("%s: %q executable=%v, want \"A\" executable", file, b, f.GetIsExecutable())
	}
	if len(r.GetOutputDirectories()) != 1 || r.GetOutputDirectories()[0].GetPath() != dir {
		t.Fatalf("output_directories = %v, want just %s", r.GetOutputDirectories(), dir)
	}
	var tree repb.Tree
	if err := proto.Unmarshal(s.blobContent(t, c, nil, r.GetOutputDirectories()[0].GetTreeDigest()), &tree); err != nil {
		t.Fatalf("tree of %s: %v", dir, err)
	}
	subs := tree.GetRoot().GetDirectories()
	if len(subs) != 1 || subs[0].GetName() != "sub" {
		t.Fatalf("tree root of %s lists %v, want just sub", dir, subs)
	}
	var sub *repb.Directory
	for _, ch := range tree.GetChildren() {
		if d, _, _ := s.fn.FromMessage(ch); d.Hash == subs[0].GetDigest().GetHash() {
			sub = ch
		}
	}
	if sub == nil || len(sub.GetFiles()) != 1 || sub.GetFiles()[0].GetName() != "b.txt" {
		t.Fatalf("%s/sub in the tree: %v", dir, sub)
	}
	if b := s.blobContent(t, c, nil, sub.GetFiles()[0].GetDigest()); string(b) != "B" {
		t.Errorf("%s/sub/b.txt = %q, want \"B\"", dir, b)
	}
}

// testExecuteMissingInput: "In the case of a missing input or command, the
// server SHOULD additionally send a PreconditionFailure error detail where,
// for each requested blob not present in the CAS, there is a Violation with
// a type of MISSING and a subject of "blobs/{digest_function/}{hash}/{size}"".
// The code is FAILED_PRECONDITION, either as the RPC's status or in
// ExecuteResponse.status (the spec allows both places).
func testExecuteMissingInput(t *testing.T, s *session) {
	c := ctx(t)
	ghost := s.fn.FromBytes(randomBytes(t, 99)) // never uploaded
	root := s.putMessage(t, c, &repb.Directory{Files: []*repb.FileNode{{Name: "ghost.txt", Digest: ghost.Proto()}}})
	cmd := s.putMessage(t, c, &repb.Command{Arguments: []string{"/bin/cat", "ghost.txt"}})
	action := s.putMessage(t, c, &repb.Action{CommandDigest: cmd.Proto(), InputRootDigest: root.Proto(), Salt: randomBytes(t, 16)})
	resp, err := s.execute(t, c, action)
	st := status.Convert(err)
	if err == nil {
		st = status.FromProto(resp.GetStatus())
	}
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("Execute with a missing input: %v, want FAILED_PRECONDITION", st.Err())
	}
	want := "blobs/" + ghost.String()
	if s.fn != digest.SHA256 {
		want = "blobs/" + s.fn.Name() + "/" + ghost.String()
	}
	for _, det := range st.Details() {
		if pf, ok := det.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				if v.GetType() == "MISSING" && v.GetSubject() == want {
					return
				}
			}
			t.Errorf("PreconditionFailure %v lacks MISSING %s", pf, want)
			return
		}
	}
	t.Errorf("no PreconditionFailure detail in %v (want MISSING %s)", st.Proto(), want)
}

// testExecuteUnknownPlatform: an action whose platform no worker offers.
// Spec (Execute errors): "FAILED_PRECONDITION: One or more errors occurred
// in setting up the action requested, such as a missing input or command or
// no worker being available." The answer must come promptly, not after a
// queue timeout: a client such as rex falls back to a local compile on it.
func testExecuteUnknownPlatform(t *testing.T, s *session) {
	c, cancel := context.WithTimeout(ctx(t), 30*time.Second)
	defer cancel()
	platform := &repb.Platform{Properties: []*repb.Platform_Property{{Name: "rex-conformance-no-such-property", Value: "1"}}}
	cmd := s.putMessage(t, c, &repb.Command{Arguments: []string{"/bin/true"}, Platform: platform})
	root := s.putMessage(t, c, &repb.Directory{})
	action := s.putMessage(t, c, &repb.Action{
		CommandDigest: cmd.Proto(), InputRootDigest: root.Proto(), Platform: platform, Salt: randomBytes(t, 16),
	})
	resp, err := s.execute(t, c, action)
	st := status.Convert(err)
	if err == nil {
		st = status.FromProto(resp.GetStatus())
	}
	if _, ok := deviates(s, pointNoWorker); ok {
		wantAt(t, s, pointNoWorker, "Execute with a platform no worker offers", st.Err())
		return
	}
	switch st.Code() {
	case codes.FailedPrecondition, codes.InvalidArgument:
		t.Logf("answer: %v", st.Err())
	case codes.DeadlineExceeded:
		t.Errorf("Execute with a platform no worker offers is still waiting after 30s")
	default:
		t.Errorf("Execute with a platform no worker offers: %v, want FAILED_PRECONDITION", st.Err())
	}
}

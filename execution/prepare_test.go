package execution

import (
	"slices"
	"sort"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// executeErr runs Execute and returns the error it ends with.
func (e *env) executeErr(d digest.Digest, mod func(*repb.ExecuteRequest)) error {
	e.t.Helper()
	_, err := e.execute(ctxT(e.t), d, mod).Recv()
	if err == nil {
		e.t.Fatal("Execute succeeded, want an error")
	}
	return err
}

func missingSubjects(t *testing.T, err error) []string {
	t.Helper()
	wantCode(t, err, codes.FailedPrecondition)
	var got []string
	for _, det := range status.Convert(err).Details() {
		if pf, ok := det.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				if v.GetType() != "MISSING" {
					t.Errorf("violation type %q, want MISSING", v.GetType())
				}
				got = append(got, v.GetSubject())
			}
		}
	}
	sort.Strings(got)
	return got
}

func subjects(ds ...digest.Digest) []string {
	var out []string
	for _, d := range ds {
		out = append(out, "blobs/"+d.String())
	}
	sort.Strings(out)
	return out
}

func TestMissingInputsAreAllReported(t *testing.T) {
	e := newEnv(t, fastOptions())
	sha := digest.SHA256
	lostFile := sha.FromBytes([]byte("never uploaded"))
	lostDir := sha.FromBytes([]byte("not a directory either"))
	sub := &repb.Directory{Files: []*repb.FileNode{{Name: "b.h", Digest: lostFile.Proto()}}}
	root := e.dir(map[string]string{"a.c": "int a;"})
	root.Directories = []*repb.DirectoryNode{
		{Name: "inc", Digest: e.putMsg(sub).Proto()},
		{Name: "lost", Digest: lostDir.Proto()},
	}
	cmd := &repb.Command{Arguments: []string{"cc", "-c", "a.c"}}
	lostCmd, _, _ := sha.FromMessage(cmd)
	a := e.putMsg(&repb.Action{CommandDigest: lostCmd.Proto(), InputRootDigest: e.putMsg(root).Proto()})

	got := missingSubjects(t, e.executeErr(a, nil))
	if want := subjects(lostFile, lostDir, lostCmd); !slices.Equal(got, want) {
		t.Errorf("missing = %v, want %v", got, want)
	}

	lostAction := sha.FromBytes([]byte("no such action"))
	got = missingSubjects(t, e.executeErr(lostAction, nil))
	if want := subjects(lostAction); !slices.Equal(got, want) {
		t.Errorf("missing = %v, want %v", got, want)
	}
}

func TestBadRequestsAreInvalidArgument(t *testing.T) {
	e := newEnv(t, fastOptions())
	d := e.action(spec{})
	wantCode(t, e.executeErr(d, func(r *repb.ExecuteRequest) { r.DigestFunction = repb.DigestFunction_MD5 }), codes.InvalidArgument)
	wantCode(t, e.executeErr(d, func(r *repb.ExecuteRequest) { r.ActionDigest.Hash = "xyz" }), codes.InvalidArgument)
	absOut := e.putMsg(&repb.Action{
		CommandDigest:   e.putMsg(&repb.Command{Arguments: []string{"cc"}, OutputPaths: []string{"/tmp/a.o"}}).Proto(),
		InputRootDigest: e.putMsg(&repb.Directory{}).Proto(),
	})
	wantCode(t, e.executeErr(absOut, nil), codes.InvalidArgument)
}

func TestV20OutputFieldsAccepted(t *testing.T) {
	e := newEnv(t, fastOptions())
	stream := e.execute(ctxT(t), e.action(spec{v20Outputs: true}), nil)
	recv(t, stream, repb.ExecutionStage_QUEUED)
}

func TestTimeoutBounding(t *testing.T) {
	o := fastOptions()
	o.DefaultTimeout = 3 * time.Minute
	o.MaxTimeout = 20 * time.Minute
	e := newEnv(t, o)
	err := e.executeErr(e.action(spec{timeout: 21 * time.Minute}), nil)
	wantCode(t, err, codes.InvalidArgument)
	neg := e.action(spec{timeout: -time.Second})
	wantCode(t, e.executeErr(neg, nil), codes.InvalidArgument)

	w := e.worker("w")
	for _, tc := range []struct{ set, want time.Duration }{
		{0, 3 * time.Minute},
		{20 * time.Minute, 20 * time.Minute},
		{30 * time.Second, 30 * time.Second},
	} {
		recv(t, e.execute(ctxT(t), e.action(spec{timeout: tc.set}), nil), repb.ExecutionStage_QUEUED)
		if got := w.mustLease().GetTimeout().AsDuration(); got != tc.want {
			t.Errorf("action timeout %v: lease timeout %v, want %v", tc.set, got, tc.want)
		}
	}
}

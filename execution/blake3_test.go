package execution

import (
	"bytes"
	"context"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// putBlake3 stores m under its BLAKE3 digest.
func (e *env) putBlake3(m proto.Message) digest.Digest {
	e.t.Helper()
	d, b, err := digest.BLAKE3.FromMessage(m)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.blobs.Put(context.Background(), cas.Key{Function: digest.BLAKE3, Digest: d}, bytes.NewReader(b)); err != nil {
		e.t.Fatal(err)
	}
	return d
}

func TestBLAKE3ActionsKeepTheirFunction(t *testing.T) {
	e := newEnv(t, fastOptions())
	blake3 := func(r *repb.ExecuteRequest) { r.DigestFunction = repb.DigestFunction_BLAKE3 }

	lost := digest.BLAKE3.FromBytes([]byte("no such action"))
	got := missingSubjects(t, e.executeErr(lost, blake3))
	if want := "blobs/blake3/" + lost.String(); len(got) != 1 || got[0] != want {
		t.Errorf("missing = %v, want [%s]", got, want)
	}

	a := e.putBlake3(&repb.Action{
		CommandDigest:   e.putBlake3(&repb.Command{Arguments: []string{"true"}}).Proto(),
		InputRootDigest: digest.BLAKE3.Empty().Proto(),
	})
	// The same bytes under SHA-256 are another action, and absent.
	missingSubjects(t, e.executeErr(a, nil))

	stream := e.execute(ctxT(t), a, blake3)
	recv(t, stream, repb.ExecutionStage_QUEUED)
	l := e.worker("w").mustLease()
	if l.GetDigestFunction() != "blake3" || l.GetActionDigest().GetHash() != a.Hash {
		t.Errorf("lease = %v, want BLAKE3 action %v", l, a)
	}
}

package wrapper

import (
	"sync"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/digest"
)

// TestRemoteExecutionReadsNoOutput: rex-server answers rex's Execute with
// the object and the diagnostics inline, so a remote execution (from the
// scan, then speculated) reads no output blob after it; the outputs are
// the local compile's.
func TestRemoteExecutionReadsNoOutput(t *testing.T) {
	srv := startServerWith(t, 2)
	var mu sync.Mutex
	read := map[digest.Digest]bool{} // by anyone: the worker reads the inputs
	srv.faults.setUnary(methodReadBlob, func(resp any, err error) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range resp.(*repb.BatchReadBlobsResponse).GetResponses() {
			d, _ := digest.FromProto(r.GetDigest())
			read[d] = true
		}
		return resp, err
	})
	speculatedRounds(t, srv, func(round int, r Result, obj []byte) {
		mu.Lock()
		defer mu.Unlock()
		if read[digest.SHA256.FromBytes(obj)] {
			t.Errorf("round %d: the object was read from the CAS", round)
		}
		if len(r.Stderr) == 0 {
			t.Errorf("round %d: no diagnostics replayed", round)
		}
	})
}

package wrapper

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/stats"
)

const (
	methodFindMissing = "/build.bazel.remote.execution.v2.ContentAddressableStorage/FindMissingBlobs"
	methodBatchUpdate = "/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchUpdateBlobs"
)

// speculatedRounds compiles a.c three times with a new -D each time: the
// first from its scan, the others speculated. check sees each round's
// result and object after the outcome and the outputs were found right.
func speculatedRounds(t *testing.T, srv *testServer, check func(round int, r Result, obj []byte)) {
	p := newProject(t, srv.addr)
	p.cfg.LocalCacheSize = 1 << 30
	p.write("h.h", "#define H 1\n")
	p.write("a.c", "#include \"h.h\"\n#warning a diagnostic to replay\nint v = H + V;\n")
	for round := range 3 {
		argv := []string{"gcc", fmt.Sprintf("-DV=%d", round), "-c", "a.c", "-o", "x.o"}
		local := localCompile(t, p.dir, argv)
		r := p.run(argv...)
		if r.Outcome != stats.RemoteExecution {
			t.Fatalf("round %d: outcome %v (%v)", round, r.Outcome, r.Reason)
		}
		if got := strings.Contains(r.Phases, speculated); got != (round > 0) {
			t.Fatalf("round %d: speculated %v (%s)", round, got, r.Phases)
		}
		same(t, fmt.Sprintf("round %d", round), collect(t, p.dir, r.Stderr), local)
		check(round, r, local.obj)
	}
}

// TestSpeculationSendsItsActionUnasked: a speculation's Action and Command
// go to the CAS with its lookup, not after a FindMissingBlobs named them,
// while a compile from its scan (which may well be a hit) asks first.
func TestSpeculationSendsItsActionUnasked(t *testing.T) {
	srv := startServerWith(t, 2)
	var mu sync.Mutex
	named := map[string]bool{} // the hashes FindMissingBlobs answered missing
	srv.faults.setUnary(methodFindMissing, func(resp any, err error) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range resp.(*repb.FindMissingBlobsResponse).GetMissingBlobDigests() {
			named[d.GetHash()] = true
		}
		return resp, err
	})
	speculatedRounds(t, srv, func(round int, r Result, _ []byte) {
		action, _, _ := strings.Cut(r.Action, "/")
		mu.Lock()
		defer mu.Unlock()
		if named[action] != (round == 0) {
			t.Errorf("round %d: FindMissingBlobs named the action: %v, want %v", round, named[action], round == 0)
		}
	})
}

// TestSpeculationSendRefused: when the unasked upload fails, the upload
// goes the usual way (FindMissingBlobs, then what it names) and the
// speculation still serves the compile.
func TestSpeculationSendRefused(t *testing.T) {
	srv := startServerWith(t, 2)
	var mu sync.Mutex
	refuse, refused := false, 0
	srv.faults.setUnary(methodBatchUpdate, func(resp any, err error) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		if refuse {
			refuse = false
			refused++
			return nil, status.Error(codes.PermissionDenied, "refused by the test")
		}
		return resp, err
	})
	speculatedRounds(t, srv, func(round int, r Result, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		if round > 0 && refused != round {
			t.Errorf("round %d: %d uploads refused, want %d", round, refused, round)
		}
		refuse = true
	})
}

package limits

import (
	"context"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// A result stored under instance "a" of the built rex-server is not seen
// under "b", unless the server runs with --shared-instances; the blob it
// references is found under both either way.
func TestInstancesKeepResultsApart(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	for _, shared := range []bool{false, true} {
		// The test writes results as a cache-only client would.
		args := []string{"--workers", "0", "--allow-cache-writes"}
		if shared {
			args = append(args, "--shared-instances")
		}
		conn := dial(t, testenv.StartServer(t, "", args...))
		c, ac := repb.NewContentAddressableStorageClient(conn), repb.NewActionCacheClient(conn)
		ctx := context.Background()
		out := []byte("object code")
		od := digest.SHA256.FromBytes(out).Proto()
		if _, err := c.BatchUpdateBlobs(ctx, &repb.BatchUpdateBlobsRequest{InstanceName: "a",
			Requests: []*repb.BatchUpdateBlobsRequest_Request{{Digest: od, Data: out}}}); err != nil {
			t.Fatal(err)
		}
		action := digest.SHA256.FromBytes([]byte("an action")).Proto()
		result := &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "a.o", Digest: od}}}
		if _, err := ac.UpdateActionResult(ctx, &repb.UpdateActionResultRequest{InstanceName: "a", ActionDigest: action, ActionResult: result}); err != nil {
			t.Fatal(err)
		}
		_, err := ac.GetActionResult(ctx, &repb.GetActionResultRequest{InstanceName: "b", ActionDigest: action})
		if want := map[bool]codes.Code{false: codes.NotFound, true: codes.OK}[shared]; status.Code(err) != want {
			t.Errorf("--shared-instances %v: result of a under b: %v, want %v", shared, err, want)
		}
		m, err := c.FindMissingBlobs(ctx, &repb.FindMissingBlobsRequest{InstanceName: "b", BlobDigests: []*repb.Digest{od}})
		if err != nil || len(m.GetMissingBlobDigests()) != 0 {
			t.Errorf("blob of a under b: missing %v, %v", m.GetMissingBlobDigests(), err)
		}
	}
}

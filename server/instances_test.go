package server

import (
	"context"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
)

// A result stored under instance "a" is not visible under "b" nor under the
// default instance, while blobs are shared by content; with the shared
// decorator (--shared-instances) every instance sees it, as before.
func TestInstancesKeepResultsApart(t *testing.T) {
	for _, shared := range []bool{false, true} {
		blobs := cas.NewMemoryStore()
		ac := cas.NewActionCache(blobs)
		if shared {
			ac = cas.NewSharedInstances(ac)
		}
		e := startWith(t, blobs, ac, Options{})
		ctx := context.Background()
		obj := putBlob(t, e, "object code")
		action := sha("an action")
		result := &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "a.o", Digest: obj.Proto()}}}
		if _, err := e.ac.UpdateActionResult(ctx, &repb.UpdateActionResultRequest{InstanceName: "a", ActionDigest: action, ActionResult: result}); err != nil {
			t.Fatal(err)
		}
		for _, inst := range []string{"a", "b", ""} {
			_, err := e.ac.GetActionResult(ctx, &repb.GetActionResultRequest{InstanceName: inst, ActionDigest: action})
			want := codes.NotFound
			if shared || inst == "a" {
				want = codes.OK
			}
			if status.Code(err) != want {
				t.Errorf("shared %v: GetActionResult under %q: %v, want %v", shared, inst, err, want)
			}
		}
		missing, err := e.cas.FindMissingBlobs(ctx, &repb.FindMissingBlobsRequest{InstanceName: "b", BlobDigests: []*repb.Digest{obj.Proto()}})
		if err != nil || len(missing.GetMissingBlobDigests()) != 0 {
			t.Errorf("blob uploaded under the default instance missing under b: %v, %v", missing, err)
		}
	}
}

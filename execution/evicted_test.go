package execution

import (
	"context"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/workerpb"
)

// evictingStore loses blobs on demand, as eviction under pressure does.
type evictingStore struct {
	cas.BlobStore
	mu   sync.Mutex
	gone map[digest.Digest]bool
}

func (s *evictingStore) evict(d digest.Digest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[d] = true
}

func (s *evictingStore) FindMissing(ctx context.Context, keys []cas.Key) ([]cas.Key, error) {
	missing, err := s.BlobStore.FindMissing(ctx, keys)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if s.gone[k.Digest] {
			missing = append(missing, k)
		}
	}
	return missing, err
}

// A worker that finds an input evicted after Execute checked the inputs
// reports FAILED_PRECONDITION; the client is told which blobs are missing,
// so it can upload them again.
func TestInputsEvictedBeforeStagingAreNamed(t *testing.T) {
	store := &evictingStore{BlobStore: cas.NewMemoryStore(), gone: map[digest.Digest]bool{}}
	e := newEnvWith(t, fastOptions(), store)
	ctx := ctxT(t)
	d := e.action(spec{files: map[string]string{"a.c": "int a;"}})
	stream := e.execute(ctx, d, nil)
	w := e.worker("w")
	l := w.mustLease()
	source := digest.SHA256.FromBytes([]byte("int a;"))
	store.evict(source)
	if _, err := e.workers.Complete(ctx, &workerpb.CompleteRequest{WorkerId: "w", LeaseId: l.GetLeaseId(),
		StatusCode: int32(code.Code_FAILED_PRECONDITION), StatusMessage: "missing input a.c"}); err != nil {
		t.Fatal(err)
	}
	resp := finish(t, stream)
	st := status.FromProto(resp.GetStatus())
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("status = %v, want FAILED_PRECONDITION", st)
	}
	var named bool
	for _, detail := range st.Details() {
		if pf, ok := detail.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				named = named || v.GetType() == "MISSING" && v.GetSubject() == "blobs/"+source.String()
			}
		}
	}
	if !named {
		t.Errorf("the evicted source is not named among the violations: %v", st.Details())
	}
}

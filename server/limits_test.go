package server

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// A batch of exactly max_batch_total_size_bytes passes the gRPC receive
// limit and is stored; one byte more, negative sizes, and reads whose sizes
// sum past the limit are INVALID_ARGUMENT.
func TestBatchLimits(t *testing.T) {
	const max = 1 << 20
	e := start(t, nil, Options{MaxBatchBytes: max})
	ctx := context.Background()
	full := bytes.Repeat([]byte("a"), max)
	fd := digest.SHA256.FromBytes(full)
	if got := update(t, e, repb.DigestFunction_SHA256, &repb.BatchUpdateBlobsRequest_Request{Digest: fd.Proto(), Data: full}); got[0] != codes.OK {
		t.Fatalf("full batch: %v", got)
	}
	over := append(full, 'b')
	_, err := e.cas.BatchUpdateBlobs(ctx, &repb.BatchUpdateBlobsRequest{Requests: []*repb.BatchUpdateBlobsRequest_Request{
		{Digest: digest.SHA256.FromBytes(over).Proto(), Data: over}}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("batch of max+1 bytes: %v, want InvalidArgument", err)
	}
	// A digest that claims a small size for a large blob is a different key:
	// the lie finds nothing rather than reading the real blob.
	lie := &repb.Digest{Hash: fd.Hash, SizeBytes: 1}
	resp, err := e.cas.BatchReadBlobs(ctx, &repb.BatchReadBlobsRequest{Digests: []*repb.Digest{lie}})
	if err != nil || codes.Code(resp.GetResponses()[0].GetStatus().GetCode()) != codes.NotFound || len(resp.GetResponses()[0].GetData()) != 0 {
		t.Errorf("read under a lying size: %v, %v; want NotFound without data", resp, err)
	}
	for name, ds := range map[string][]*repb.Digest{
		"negative size":  {fd.Proto(), {Hash: fd.Hash, SizeBytes: -max}},
		"over the limit": {fd.Proto(), sha("x")},
	} {
		_, err := e.cas.BatchReadBlobs(ctx, &repb.BatchReadBlobsRequest{Digests: ds})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("BatchReadBlobs, %s: %v, want InvalidArgument", name, err)
		}
	}
	_, err = e.cas.BatchUpdateBlobs(ctx, &repb.BatchUpdateBlobsRequest{Requests: []*repb.BatchUpdateBlobsRequest_Request{
		{Digest: &repb.Digest{Hash: fd.Hash, SizeBytes: -1}, Data: []byte("x")}}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("BatchUpdateBlobs with a negative size: %v, want InvalidArgument", err)
	}
}

func TestFindMissingCap(t *testing.T) {
	e := start(t, nil, Options{Limits: Limits{MaxFindMissing: 10}})
	var ds []*repb.Digest
	for i := 0; i < 11; i++ {
		ds = append(ds, sha(strings.Repeat("x", i)))
	}
	if _, err := e.cas.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{BlobDigests: ds[:10]}); err != nil {
		t.Errorf("10 digests: %v", err)
	}
	_, err := e.cas.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{BlobDigests: ds})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("11 digests over a cap of 10: %v, want InvalidArgument", err)
	}
}

// Three calls in flight from one client are its cap: with three stalled
// uploads a fourth call is RESOURCE_EXHAUSTED, until one of them ends.
func TestStreamsPerClient(t *testing.T) {
	e := start(t, nil, Options{Limits: Limits{StreamsPerClient: 3}})
	ctx := context.Background()
	first, cancel := context.WithCancel(ctx)
	stalled(t, first, e, "u1") // and a QueryWriteStatus: two calls
	stalled(t, ctx, e, "u2")   // the query is the third
	third, err := e.bs.Write(ctx)
	if err == nil {
		name := digest.WriteName("", "u3", digest.SHA256, digest.SHA256.FromBytes([]byte("ab")), "")
		err = third.Send(&bspb.WriteRequest{ResourceName: name, Data: []byte("a")})
	}
	if err != nil {
		t.Fatal(err)
	}
	find := func() error {
		_, err := e.cas.FindMissingBlobs(ctx, &repb.FindMissingBlobsRequest{BlobDigests: []*repb.Digest{sha("x")}})
		return err
	}
	// The third stream's handler starts when the server reads it.
	for find() == nil {
	}
	if err := find(); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("fourth call: %v, want ResourceExhausted", err)
	}
	cancel()
	for status.Code(err) == codes.ResourceExhausted {
		err = find() // until the cancelled stream's handler has returned
	}
	if err != nil {
		t.Errorf("after one stream ended: %v", err)
	}
}

// stalled opens a Write that sends one byte and waits, until ctx ends. It
// returns once the server holds the upload.
func stalled(t *testing.T, ctx context.Context, e *env, uuid string) string {
	t.Helper()
	d := digest.SHA256.FromBytes([]byte("two bytes " + uuid))
	name := digest.WriteName("", uuid, digest.SHA256, d, "")
	stream, err := e.bs.Write(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&bspb.WriteRequest{ResourceName: name, Data: []byte("t")}); err != nil {
		t.Fatal(err)
	}
	waitCommitted(t, e, name, 1)
	return name
}

// blockingStore holds every Get until release is closed; the first one
// signals entered.
type blockingStore struct {
	cas.BlobStore
	entered chan struct{}
	release chan struct{}
}

func (s *blockingStore) Get(ctx context.Context, k cas.Key, off int64) (io.ReadCloser, error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	return s.BlobStore.Get(ctx, k, off)
}

// With one batch call allowed in flight, a second is RESOURCE_EXHAUSTED
// while the first runs, other calls still pass, and once the first ends
// batches are admitted again.
func TestMaxBatchCalls(t *testing.T) {
	store := &blockingStore{BlobStore: cas.NewMemoryStore(), entered: make(chan struct{}, 1), release: make(chan struct{})}
	e := start(t, store, Options{Limits: Limits{MaxBatchCalls: 1}})
	d := putBlob(t, e, "held")
	ctx := context.Background()
	read := func() error {
		_, err := e.cas.BatchReadBlobs(ctx, &repb.BatchReadBlobsRequest{Digests: []*repb.Digest{d.Proto()}})
		return err
	}
	first := make(chan error)
	go func() { first <- read() }()
	<-store.entered
	if err := read(); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("second batch call: %v, want ResourceExhausted", err)
	}
	if _, err := e.cas.FindMissingBlobs(ctx, &repb.FindMissingBlobsRequest{BlobDigests: []*repb.Digest{d.Proto()}}); err != nil {
		t.Errorf("FindMissingBlobs beside a batch call: %v", err)
	}
	close(store.release)
	if err := <-first; err != nil {
		t.Fatalf("first batch call: %v", err)
	}
	err := read()
	for status.Code(err) == codes.ResourceExhausted {
		err = read() // until the first call's stream has ended
	}
	if err != nil {
		t.Errorf("batch call after the first ended: %v", err)
	}
}

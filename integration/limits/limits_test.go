// Package limits floods the built rex-server the way a hostile or careless
// client would (full batch reads and writes, uploads that send a byte and
// stall, a disk that fills up) and checks, from /proc, that its memory and
// descriptors stay under stated bounds and that it keeps serving.
package limits

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// dial opens a raw gRPC connection to srv; each is one HTTP/2 connection.
func dial(t *testing.T, srv *testenv.Server) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(strings.TrimPrefix(srv.Addr, "grpc://"),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func randomBlob(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// fullBatch stores eight 512 KiB blobs (one full 4 MiB batch) and returns
// the batch that uploads them and their digests.
func fullBatch(t *testing.T, c repb.ContentAddressableStorageClient) (*repb.BatchUpdateBlobsRequest, []*repb.Digest) {
	t.Helper()
	req := &repb.BatchUpdateBlobsRequest{}
	var ds []*repb.Digest
	for i := 0; i < 8; i++ {
		b := randomBlob(uint64(i), 512<<10-64)
		d := digest.SHA256.FromBytes(b).Proto()
		req.Requests = append(req.Requests, &repb.BatchUpdateBlobsRequest_Request{Digest: d, Data: b})
		ds = append(ds, d)
	}
	resp, err := c.BatchUpdateBlobs(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.GetResponses() {
		if r.GetStatus().GetCode() != 0 {
			t.Fatalf("seeding: %v", r.GetStatus())
		}
	}
	return req, ds
}

// 32 careless clients, each on its own connection, send 8 full batch
// reads and 8 full batch writes each, all at once, and every answer is
// checked. Handlers hold at most BatchInflightBytes (64 MiB) of blobs;
// beyond that the server holds what gRPC has received and not yet handed
// over, or written and not yet flushed: a few full batches per call in
// flight, 32 here, about 320 MiB live at worst, which the garbage
// collector may let grow to twice that. Peak RSS stays under 640 MiB
// (measured: about 370 MiB; rex before these limits: about 310 MiB, as
// careful clients were never the problem: see the hostile test below).
// Calls refused (RESOURCE_EXHAUSTED, when more than 256 batch calls are in
// flight) are retried as rex's client does.
func TestBatchFloodKeepsMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "0", "--max-size", "256MiB")
	update, ds := fullBatch(t, repb.NewContentAddressableStorageClient(dial(t, srv)))
	before := usageOf(t, srv.PID())
	const clients, rounds = 32, 8
	var refused atomic.Int64
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		c := repb.NewContentAddressableStorageClient(dial(t, srv))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- flood(c, update, ds, rounds, &refused)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	after := usageOf(t, srv.PID())
	t.Logf("before the flood: %v; after %d×%d full batch reads and writes: %v; %d calls refused (RESOURCE_EXHAUSTED) and retried",
		before, clients, rounds, after, refused.Load())
	if bound := int64(640 << 20); after.peakRSS > bound {
		t.Errorf("peak RSS %d MiB over the %d MiB bound", after.peakRSS>>20, bound>>20)
	}
}

// 32 hostile clients ask, 4 times each, for 100 MiB in one batch read:
// the same 512 KiB blob 200 times, hidden behind a digest of size
// -100 MiB so that the sizes sum to nothing, or in plain sight. Each is
// INVALID_ARGUMENT before a byte is read, and peak RSS stays under 128 MiB
// (measured: 34 MiB). rex before these limits read and answered the
// hidden ones: two such requests took it to 420 MiB; these 64 would take
// several GiB.
func TestHostileBatchReadsAreRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "0")
	_, ds := fullBatch(t, repb.NewContentAddressableStorageClient(dial(t, srv)))
	var same []*repb.Digest
	for i := 0; i < 200; i++ {
		same = append(same, ds[0])
	}
	hidden := append([]*repb.Digest{{Hash: ds[1].Hash, SizeBytes: -100 << 20}}, same...)
	var wg sync.WaitGroup
	errs := make(chan error, 32*4)
	for i := 0; i < 32; i++ {
		c := repb.NewContentAddressableStorageClient(dial(t, srv))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 4; r++ {
				req := &repb.BatchReadBlobsRequest{Digests: same}
				if r%2 == 0 {
					req.Digests = hidden
				}
				_, err := c.BatchReadBlobs(context.Background(), req)
				if status.Code(err) != codes.InvalidArgument {
					errs <- fmt.Errorf("100 MiB batch read: %v, want InvalidArgument", err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	after := usageOf(t, srv.PID())
	t.Logf("after 128 batch reads of 100 MiB: %v", after)
	if bound := int64(128 << 20); after.peakRSS > bound {
		t.Errorf("peak RSS %d MiB over the %d MiB bound", after.peakRSS>>20, bound>>20)
	}
}

// retried calls f until it is not RESOURCE_EXHAUSTED, as rex's client
// does (with backoff), counting the refusals.
func retried(refused *atomic.Int64, f func() error) error {
	for {
		err := f()
		if status.Code(err) != codes.ResourceExhausted {
			return err
		}
		refused.Add(1)
		time.Sleep(5 * time.Millisecond)
	}
}

// flood sends rounds full reads and writes and checks every answer.
func flood(c repb.ContentAddressableStorageClient, update *repb.BatchUpdateBlobsRequest, ds []*repb.Digest, rounds int, refused *atomic.Int64) error {
	ctx := context.Background()
	for r := 0; r < rounds; r++ {
		var resp *repb.BatchReadBlobsResponse
		err := retried(refused, func() (err error) {
			resp, err = c.BatchReadBlobs(ctx, &repb.BatchReadBlobsRequest{Digests: ds})
			return err
		})
		if err != nil {
			return fmt.Errorf("BatchReadBlobs: %w", err)
		}
		for i, got := range resp.GetResponses() {
			if !bytes.Equal(got.GetData(), update.Requests[i].Data) {
				return fmt.Errorf("BatchReadBlobs: blob %d: %v, %d bytes", i, got.GetStatus(), len(got.GetData()))
			}
		}
		var up *repb.BatchUpdateBlobsResponse
		err = retried(refused, func() (err error) {
			up, err = c.BatchUpdateBlobs(ctx, update)
			return err
		})
		if err != nil {
			return fmt.Errorf("BatchUpdateBlobs: %w", err)
		}
		for _, r := range up.GetResponses() {
			if r.GetStatus().GetCode() != 0 {
				return fmt.Errorf("BatchUpdateBlobs: %v", r.GetStatus())
			}
		}
	}
	return nil
}

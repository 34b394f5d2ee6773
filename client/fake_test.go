package client

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
)

// fakeServer is an in-memory REAPI server with just enough behaviour for
// these tests, recording what it was asked and failing on demand.
type fakeServer struct {
	repb.UnimplementedContentAddressableStorageServer
	repb.UnimplementedActionCacheServer
	repb.UnimplementedCapabilitiesServer
	repb.UnimplementedExecutionServer
	bytestream.UnimplementedByteStreamServer

	mu    sync.Mutex
	blobs map[digest.Digest][]byte
	ac    map[digest.Digest]*repb.ActionResult
	caps  *repb.ServerCapabilities

	findMissing  [][]digest.Digest
	batchUpdates [][]digest.Digest
	batchReads   [][]digest.Digest
	writes       []digest.Digest
	reads        []digest.Digest
	capsCalls    int
	refused      int // batch requests over the advertised limit
	md           []metadata.MD
	instances    []string

	// updateStatus, if set, decides the per-blob status of a batch update;
	// n counts the attempts at that blob (1 for the first).
	updateStatus func(d digest.Digest, n int) codes.Code
	updateCount  map[digest.Digest]int
	corrupt      map[digest.Digest]bool
	noGetTree    bool
	// findErr, if set, may fail the n-th FindMissingBlobs call (1 for the first).
	findErr   func(n int) error
	findCalls int
	execute   func(*repb.ExecuteRequest, grpc.ServerStreamingServer[longrunningpb.Operation]) error
	wait      func(*repb.WaitExecutionRequest, grpc.ServerStreamingServer[longrunningpb.Operation]) error
}

func newFake() *fakeServer {
	return &fakeServer{
		blobs:       map[digest.Digest][]byte{},
		ac:          map[digest.Digest]*repb.ActionResult{},
		updateCount: map[digest.Digest]int{},
		corrupt:     map[digest.Digest]bool{},
		caps:        &repb.ServerCapabilities{CacheCapabilities: &repb.CacheCapabilities{DigestFunctions: []repb.DigestFunction_Value{repb.DigestFunction_SHA256}}},
	}
}

// start serves f over an in-memory connection and returns a client for it.
func (f *fakeServer) start(t *testing.T, cfg Config) *Client {
	t.Helper()
	lis := f.serve(t)
	cfg.Server = "fake:1"
	cfg.Dialer = func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// serve starts a gRPC server for f on a new in-memory listener.
func (f *fakeServer) serve(t *testing.T) *bufconn.Listener {
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer(grpc.UnaryInterceptor(f.recordUnary), grpc.StreamInterceptor(f.recordStream))
	repb.RegisterContentAddressableStorageServer(s, f)
	repb.RegisterActionCacheServer(s, f)
	repb.RegisterCapabilitiesServer(s, f)
	repb.RegisterExecutionServer(s, f)
	bytestream.RegisterByteStreamServer(s, f)
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return lis
}

func (f *fakeServer) recordUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	f.record(ctx, req)
	return h(ctx, req)
}

func (f *fakeServer) recordStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	f.record(ss.Context(), nil)
	return h(srv, ss)
}

func (f *fakeServer) record(ctx context.Context, req any) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.md = append(f.md, md)
	if r, ok := req.(interface{ GetInstanceName() string }); ok {
		f.instances = append(f.instances, r.GetInstanceName())
	}
}

// put stores data and returns its SHA-256 digest.
func (f *fakeServer) put(data []byte) digest.Digest {
	d := digest.SHA256.FromBytes(data)
	f.mu.Lock()
	f.blobs[d] = data
	f.mu.Unlock()
	return d
}

func (f *fakeServer) get(d digest.Digest) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.blobs[d]
	if ok && f.corrupt[d] {
		b = append([]byte{b[0] ^ 0xff}, b[1:]...)
	}
	return b, ok
}

func digests(ps []*repb.Digest) []digest.Digest {
	var out []digest.Digest
	for _, p := range ps {
		d, _ := digest.FromProto(p)
		out = append(out, d)
	}
	return out
}

func (f *fakeServer) FindMissingBlobs(_ context.Context, req *repb.FindMissingBlobsRequest) (*repb.FindMissingBlobsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.findCalls++
	if f.findErr != nil {
		if err := f.findErr(f.findCalls); err != nil {
			return nil, err
		}
	}
	ds := digests(req.GetBlobDigests())
	f.findMissing = append(f.findMissing, ds)
	resp := &repb.FindMissingBlobsResponse{}
	for _, d := range ds {
		if _, ok := f.blobs[d]; !ok {
			resp.MissingBlobDigests = append(resp.MissingBlobDigests, d.Proto())
		}
	}
	return resp, nil
}

func (f *fakeServer) BatchUpdateBlobs(_ context.Context, req *repb.BatchUpdateBlobsRequest) (*repb.BatchUpdateBlobsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var total int64
	for _, r := range req.GetRequests() {
		total += int64(len(r.GetData()))
	}
	if limit := f.caps.GetCacheCapabilities().GetMaxBatchTotalSizeBytes(); limit > 0 && total > limit {
		f.refused++
		return nil, status.Errorf(codes.ResourceExhausted, "batch of %d bytes over %d", total, limit)
	}
	var ds []digest.Digest
	resp := &repb.BatchUpdateBlobsResponse{}
	for _, r := range req.GetRequests() {
		d, _ := digest.FromProto(r.GetDigest())
		ds = append(ds, d)
		f.updateCount[d]++
		code := codes.OK
		if f.updateStatus != nil {
			code = f.updateStatus(d, f.updateCount[d])
		}
		if code == codes.OK && digest.SHA256.FromBytes(r.GetData()) != d {
			code = codes.InvalidArgument
		}
		if code == codes.OK {
			f.blobs[d] = r.GetData()
		}
		resp.Responses = append(resp.Responses, &repb.BatchUpdateBlobsResponse_Response{
			Digest: r.GetDigest(), Status: status.New(code, "fake").Proto()})
	}
	f.batchUpdates = append(f.batchUpdates, ds)
	return resp, nil
}

func (f *fakeServer) BatchReadBlobs(_ context.Context, req *repb.BatchReadBlobsRequest) (*repb.BatchReadBlobsResponse, error) {
	ds := digests(req.GetDigests())
	var total int64
	for _, d := range ds {
		total += d.Size
	}
	f.mu.Lock()
	limit := f.caps.GetCacheCapabilities().GetMaxBatchTotalSizeBytes()
	if limit > 0 && total > limit {
		f.refused++
		f.mu.Unlock()
		return nil, status.Errorf(codes.InvalidArgument, "batch of %d bytes over %d", total, limit)
	}
	f.batchReads = append(f.batchReads, ds)
	f.mu.Unlock()
	resp := &repb.BatchReadBlobsResponse{}
	for _, d := range ds {
		r := &repb.BatchReadBlobsResponse_Response{Digest: d.Proto()}
		if b, ok := f.get(d); ok {
			r.Data, r.Status = b, status.New(codes.OK, "").Proto()
		} else {
			r.Status = status.New(codes.NotFound, "no such blob").Proto()
		}
		resp.Responses = append(resp.Responses, r)
	}
	return resp, nil
}

// GetTree answers with one page of at most two Directories per call.
func (f *fakeServer) GetTree(req *repb.GetTreeRequest, s grpc.ServerStreamingServer[repb.GetTreeResponse]) error {
	if f.noGetTree {
		return status.Error(codes.Unimplemented, "no GetTree")
	}
	root, _ := digest.FromProto(req.GetRootDigest())
	all, err := f.walkDirs(root)
	if err != nil {
		return err
	}
	start, _ := strconv.Atoi(req.GetPageToken())
	end := min(start+2, len(all))
	resp := &repb.GetTreeResponse{Directories: all[start:end]}
	if end < len(all) {
		resp.NextPageToken = strconv.Itoa(end)
	}
	return s.Send(resp)
}

func (f *fakeServer) walkDirs(root digest.Digest) ([]*repb.Directory, error) {
	var out []*repb.Directory
	queue := []digest.Digest{root}
	for len(queue) > 0 {
		b, ok := f.get(queue[0])
		if !ok {
			return nil, status.Errorf(codes.NotFound, "directory %s", queue[0])
		}
		queue = queue[1:]
		dir := &repb.Directory{}
		if err := unmarshal(b, dir); err != nil {
			return nil, err
		}
		out = append(out, dir)
		queue = append(queue, digests(dirDigests(dir))...)
	}
	return out, nil
}

func dirDigests(d *repb.Directory) []*repb.Digest {
	var out []*repb.Digest
	for _, c := range d.GetDirectories() {
		out = append(out, c.GetDigest())
	}
	return out
}

func unmarshal(b []byte, m proto.Message) error { return proto.Unmarshal(b, m) }

package worker

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/server"
	"github.com/rexbuild/rex/workerpb"
)

// fakeWorkers is a Workers service whose leases the test hands out one by
// one and whose Complete calls the test reads.
type fakeWorkers struct {
	workerpb.UnimplementedWorkersServer
	leases    chan *workerpb.LeaseResponse
	completes chan *workerpb.CompleteRequest
	asked     chan struct{} // one value per Lease call, while there is room
	mu        sync.Mutex
	beat      func(*workerpb.HeartbeatRequest) (*workerpb.HeartbeatResponse, error)
	beats     int
}

func (f *fakeWorkers) Lease(ctx context.Context, req *workerpb.LeaseRequest) (*workerpb.LeaseResponse, error) {
	select {
	case f.asked <- struct{}{}:
	default:
	}
	select {
	case l := <-f.leases:
		return l, nil
	case <-time.After(req.GetMaxWait().AsDuration()):
		return &workerpb.LeaseResponse{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *fakeWorkers) Heartbeat(ctx context.Context, req *workerpb.HeartbeatRequest) (*workerpb.HeartbeatResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.beats++
	if f.beat != nil {
		return f.beat(req)
	}
	return &workerpb.HeartbeatResponse{}, nil
}

func (f *fakeWorkers) Complete(ctx context.Context, req *workerpb.CompleteRequest) (*workerpb.CompleteResponse, error) {
	f.completes <- req
	return &workerpb.CompleteResponse{}, nil
}

// testEnv is a real CAS server and a fake Workers service on one unix
// socket, a client, and a running Worker.
type testEnv struct {
	fake *fakeWorkers
	cas  *client.Client
	fn   digest.Function
	dir  string // the worker's Dir
	// calls counts the CAS and ByteStream calls the server answered.
	calls *casCalls
}

// casCalls counts calls to the CAS and ByteStream services, and the files
// an embedded worker moved into the store.
type casCalls struct{ n, adopted atomic.Int64 }

func (c *casCalls) count(method string) {
	if strings.Contains(method, "ContentAddressableStorage/") || strings.Contains(method, "ByteStream/") {
		c.n.Add(1)
	}
}

func (c *casCalls) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	c.count(info.FullMethod)
	return h(ctx, req)
}

func (c *casCalls) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	c.count(info.FullMethod)
	return h(srv, ss)
}

// newEnv starts everything; opts.Dir and LeaseWait are filled in.
func newEnv(t *testing.T, opts Options) *testEnv { return startEnv(t, opts, false) }

// newEmbeddedEnv starts a worker given the server's own store, as
// rex-server's embedded workers are.
func newEmbeddedEnv(t *testing.T, opts Options) *testEnv { return startEnv(t, opts, true) }

func startEnv(t *testing.T, opts Options, embedded bool) *testEnv {
	t.Helper()
	calls := &casCalls{}
	sockDir, err := os.MkdirTemp("", "rxw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	blobs := cas.NewMemoryStore()
	if embedded {
		disk, err := cas.OpenDisk(filepath.Join(t.TempDir(), "store"), cas.DiskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		blobs = disk.Blobs()
		opts.Store = blobs
		opts.AdoptFile = func(ctx context.Context, k cas.Key, path string) error {
			err := disk.AdoptFile(ctx, k, path)
			if err == nil {
				calls.adopted.Add(1)
			}
			return err
		}
	}
	ac := cas.NewActionCache(blobs)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(calls.unary), grpc.ChainStreamInterceptor(calls.stream))
	server.Register(srv, blobs, ac, server.Options{UploadDir: t.TempDir()})
	fake := &fakeWorkers{leases: make(chan *workerpb.LeaseResponse), completes: make(chan *workerpb.CompleteRequest, 1),
		asked: make(chan struct{}, 1)}
	workerpb.RegisterWorkersServer(srv, fake)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	cl, err := client.Dial(context.Background(), client.Config{Server: "unix://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	opts.Dir = t.TempDir()
	opts.LeaseWait = 200 * time.Millisecond
	opts.Logf = t.Logf
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(cl.Conn(), cl, opts).Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return &testEnv{fake: fake, cas: cl, fn: digest.SHA256, dir: opts.Dir, calls: calls}
}

// upload stores the inputs, the Command and the Action; it returns the
// Action's digest.
func (e *testEnv) upload(t *testing.T, cmd *repb.Command, inputs []client.Input) digest.Digest {
	t.Helper()
	root, blobs, err := client.BuildTree(e.fn, inputs)
	if err != nil {
		t.Fatal(err)
	}
	cd := e.message(t, cmd, &blobs)
	ad := e.message(t, &repb.Action{CommandDigest: cd.Proto(), InputRootDigest: root.Proto()}, &blobs)
	if err := e.cas.Upload(context.Background(), blobs); err != nil {
		t.Fatal(err)
	}
	return ad
}

func (e *testEnv) message(t *testing.T, m proto.Message, blobs *[]client.Blob) digest.Digest {
	d, b, err := e.fn.FromMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	*blobs = append(*blobs, client.Blob{Digest: d, Data: b})
	return d
}

// lease hands out ad with the given timeout and returns the lease sent.
func (e *testEnv) lease(t *testing.T, ad digest.Digest, timeout, heartbeat time.Duration) *workerpb.LeaseResponse {
	t.Helper()
	l := &workerpb.LeaseResponse{
		LeaseId: "lease/" + t.Name(), DigestFunction: e.fn.Name(),
		ActionDigest:      &workerpb.Digest{Hash: ad.Hash, SizeBytes: ad.Size},
		HeartbeatInterval: durationpb.New(heartbeat), Timeout: durationpb.New(timeout),
	}
	select {
	case e.fake.leases <- l:
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not ask for work")
	}
	return l
}

// run leases ad and waits for its Complete.
func (e *testEnv) run(t *testing.T, ad digest.Digest, timeout time.Duration) *workerpb.CompleteRequest {
	t.Helper()
	e.lease(t, ad, timeout, time.Second)
	select {
	case c := <-e.fake.completes:
		return c
	case <-time.After(60 * time.Second):
		t.Fatal("no Complete")
	}
	return nil
}

// result decodes the ActionResult a Complete carries.
func (e *testEnv) result(t *testing.T, c *workerpb.CompleteRequest) *repb.ActionResult {
	t.Helper()
	if c.GetActionResult() == nil {
		t.Fatalf("Complete without a result: code %d %s", c.GetStatusCode(), c.GetStatusMessage())
	}
	ar := &repb.ActionResult{}
	if err := proto.Unmarshal(c.GetActionResult(), ar); err != nil {
		t.Fatal(err)
	}
	return ar
}

func (e *testEnv) readMessage(t *testing.T, p *repb.Digest, m proto.Message) {
	t.Helper()
	if err := proto.Unmarshal(e.read(t, p), m); err != nil {
		t.Fatal(err)
	}
}

func (e *testEnv) read(t *testing.T, p *repb.Digest) []byte {
	t.Helper()
	d, err := digest.FromProto(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.cas.ReadBlob(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func shCommand(script string, outputs ...string) *repb.Command {
	return &repb.Command{
		Arguments:            []string{"/bin/sh", "-c", script},
		EnvironmentVariables: []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: "/usr/bin:/bin"}},
		OutputPaths:          outputs,
	}
}

func statusNotFound() error { return status.Error(codes.NotFound, "lease expired") }

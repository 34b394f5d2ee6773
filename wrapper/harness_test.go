package wrapper

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/execution"
	"github.com/rexbuild/rex/server"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/worker"
)

// faults lets a test change what the in-process server answers, per RPC
// method (e.g. "/build.bazel.remote.execution.v2.Execution/Execute").
type faults struct {
	mu sync.Mutex
	// unary rewrites or replaces a unary response.
	unary map[string]func(resp any, err error) (any, error)
	// stream replaces a streaming handler entirely.
	stream map[string]func(srv any, ss grpc.ServerStream) error
}

func (f *faults) setUnary(method string, fn func(resp any, err error) (any, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unary[method] = fn
}

func (f *faults) setStream(method string, fn func(srv any, ss grpc.ServerStream) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stream[method] = fn
}

func (f *faults) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	resp, err := h(ctx, req)
	f.mu.Lock()
	fn := f.unary[info.FullMethod]
	f.mu.Unlock()
	if fn != nil {
		return fn(resp, err)
	}
	return resp, err
}

func (f *faults) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	f.mu.Lock()
	fn := f.stream[info.FullMethod]
	f.mu.Unlock()
	if fn != nil {
		return fn(srv, ss)
	}
	return h(srv, ss)
}

// testServer is the real rex server in process, on a unix socket, without
// workers: tests fill its cache in cache-only mode or fake Execute.
type testServer struct {
	addr   string
	faults *faults
	grpc   *grpc.Server
}

func startServer(t testing.TB) *testServer {
	return startServerWith(t, 0)
}

// startServerWith also runs the real worker in process when workers > 0.
func startServerWith(t testing.TB, workers int) *testServer {
	t.Helper()
	dir := t.TempDir()
	disk, err := cas.OpenDisk(filepath.Join(dir, "store"), cas.DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	blobs, ac := disk.Blobs(), disk.ActionCache()
	f := &faults{unary: map[string]func(any, error) (any, error){}, stream: map[string]func(any, grpc.ServerStream) error{}}
	opts := server.Options{Execution: true}
	g := grpc.NewServer(append(server.GRPCServerOptions(opts),
		grpc.ChainUnaryInterceptor(f.unaryInterceptor), grpc.ChainStreamInterceptor(f.streamInterceptor))...)
	server.Register(g, blobs, ac, opts)
	sched := execution.New(blobs, ac, execution.Options{WorkerGrace: time.Second})
	sched.Register(g)
	sock := filepath.Join(dir, "rex.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go g.Serve(lis)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); g.Stop(); sched.Close() })
	ts := &testServer{addr: "unix://" + sock, faults: f, grpc: g}
	if workers > 0 {
		c, err := client.Dial(ctx, client.Config{Server: ts.addr})
		if err != nil {
			t.Fatal(err)
		}
		w := worker.New(c.Conn(), c, worker.Options{Dir: filepath.Join(dir, "work"), Concurrency: workers, Sandbox: worker.SandboxNone,
			CASFor: worker.CASDialer(client.Config{Server: ts.addr})})
		go w.Run(ctx)
	}
	return ts
}

// project is a build directory with sources, and the config to build it.
type project struct {
	t   testing.TB
	dir string
	cfg Config
}

func newProject(t testing.TB, serverAddr string) *project {
	t.Helper()
	if _, err := exec.LookPath("g++"); err != nil {
		t.Skip("g++ is not installed")
	}
	dir := t.TempDir()
	return &project{t: t, dir: dir, cfg: Config{
		Client:   client.Config{Server: serverAddr, RPCTimeout: 5 * time.Second, ExecuteTimeout: 5 * time.Second, MaxAttempts: 2},
		StateDir: filepath.Join(t.TempDir(), "state"),
	}}
}

func (p *project) write(name, content string) {
	p.t.Helper()
	path := filepath.Join(p.dir, name)
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *project) run(argv ...string) Result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Run(ctx, p.cfg, Invocation{Argv: argv, Dir: p.dir, Env: os.Environ()})
}

// fill compiles argv in cache-only mode, so the server holds its result.
func (p *project) fill(argv ...string) {
	p.t.Helper()
	cfg := p.cfg
	p.cfg.CacheOnly = true
	defer func() { p.cfg = cfg }()
	if r := p.run(argv...); r.Outcome != stats.CacheMiss || r.ExitCode != 0 {
		p.t.Fatalf("cache fill: %v %v exit %d: %s", r.Outcome, r.Reason, r.ExitCode, r.Stderr)
	}
}

func (p *project) exists(name string) bool {
	_, err := os.Stat(filepath.Join(p.dir, name))
	return err == nil
}

// missHitMiss compiles argv in dir three times, each time against a local
// compile of the same tree: a remote execution, a hit, and, after mutate,
// a remote execution again, byte for byte the local compile's outputs.
func (p *project) missHitMiss(t *testing.T, dir string, argv []string, mutate func()) {
	t.Helper()
	for round, want := range []stats.Outcome{stats.RemoteExecution, stats.CacheHit, stats.RemoteExecution} {
		if round == 2 {
			mutate()
		}
		local := localCompile(t, dir, argv)
		saved := p.dir
		p.dir = dir
		r := p.run(argv...)
		p.dir = saved
		if r.Outcome != want {
			t.Fatalf("round %d: outcome %v (%v), want %v", round, r.Outcome, r.Reason, want)
		}
		same(t, fmt.Sprintf("round %d", round), collect(t, dir, r.Stderr), local)
	}
}

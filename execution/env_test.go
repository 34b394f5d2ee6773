package execution

import (
	"bytes"
	"context"
	"net"
	"sort"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/workerpb"
)

// env is a scheduler served over an in-memory gRPC connection, with the
// REAPI Execution client a build tool uses and the Workers client a worker
// uses.
type env struct {
	t       *testing.T
	s       *Scheduler
	blobs   cas.BlobStore
	ac      cas.ActionCache
	exec    repb.ExecutionClient
	workers workerpb.WorkersClient
}

// fastOptions shrink the lease intervals so that expiry tests run fast,
// yet leave room for a loaded machine. Actions are often queued before any
// fake worker polls, so the grace for workers to appear stays long.
func fastOptions() Options {
	return Options{
		HeartbeatInterval: 50 * time.Millisecond,
		LeaseTimeout:      400 * time.Millisecond,
		WorkerGrace:       10 * time.Second,
		MaxLeaseWait:      5 * time.Second,
	}
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	return newEnvWith(t, opts, cas.NewMemoryStore())
}

// newEnvWith serves the scheduler over the given blob store.
func newEnvWith(t *testing.T, opts Options, blobs cas.BlobStore) *env {
	t.Helper()
	ac := cas.NewActionCache(blobs)
	s := New(blobs, ac, opts)
	g := grpc.NewServer()
	s.Register(g)
	lis := bufconn.Listen(1 << 20)
	go g.Serve(lis)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		s.Close()
		g.Stop()
	})
	return &env{t: t, s: s, blobs: blobs, ac: ac,
		exec: repb.NewExecutionClient(conn), workers: workerpb.NewWorkersClient(conn)}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (e *env) put(b []byte) digest.Digest {
	e.t.Helper()
	d := digest.SHA256.FromBytes(b)
	if err := e.blobs.Put(context.Background(), cas.Key{Function: digest.SHA256, Digest: d}, bytes.NewReader(b)); err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) putMsg(m proto.Message) digest.Digest {
	e.t.Helper()
	_, b, err := digest.SHA256.FromMessage(m)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.put(b)
}

// spec describes a test action: a compile of a.c into a.o by default.
type spec struct {
	args       []string
	files      map[string]string // name -> content, in the input root
	platform   map[string]string
	doNotCache bool
	timeout    time.Duration
	v20Outputs bool // name outputs in output_files, as REAPI v2.0 clients do
}

func (e *env) action(sp spec) digest.Digest {
	e.t.Helper()
	if sp.args == nil {
		sp.args = []string{"cc", "-c", "a.c", "-o", "a.o"}
	}
	if sp.files == nil {
		sp.files = map[string]string{"a.c": "int a;\n"}
	}
	cmd := &repb.Command{Arguments: sp.args, Platform: platform(sp.platform)}
	if sp.v20Outputs {
		cmd.OutputFiles = []string{"a.o"}
		cmd.OutputDirectories = []string{"gen"}
	} else {
		cmd.OutputPaths = []string{"a.o"}
	}
	a := &repb.Action{
		CommandDigest:   e.putMsg(cmd).Proto(),
		InputRootDigest: e.putMsg(e.dir(sp.files)).Proto(),
		DoNotCache:      sp.doNotCache,
		Platform:        platform(sp.platform),
	}
	if sp.timeout != 0 {
		a.Timeout = durationpb.New(sp.timeout)
	}
	return e.putMsg(a)
}

func (e *env) dir(files map[string]string) *repb.Directory {
	dir := &repb.Directory{}
	for name, content := range files {
		d := e.put([]byte(content))
		dir.Files = append(dir.Files, &repb.FileNode{Name: name, Digest: d.Proto()})
	}
	sort.Slice(dir.Files, func(i, k int) bool { return dir.Files[i].Name < dir.Files[k].Name })
	return dir
}

func platform(m map[string]string) *repb.Platform {
	if len(m) == 0 {
		return nil
	}
	p := &repb.Platform{}
	for n, v := range m {
		p.Properties = append(p.Properties, &repb.Platform_Property{Name: n, Value: v})
	}
	sort.Slice(p.Properties, func(i, k int) bool { return p.Properties[i].Name < p.Properties[k].Name })
	return p
}

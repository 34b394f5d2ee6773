package auth

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/execution"
	"github.com/rexbuild/rex/server"
	"github.com/rexbuild/rex/workerpb"
)

const (
	execToken   = "exec-0123456789"
	writeToken  = "write-0123456789"
	workerToken = "worker-0123456789"
	internal    = "internal-0123456789"
)

// logs collects what the Authorizer logs.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// startServer serves rex's real services behind a over an in-memory
// connection. bufconn peers are neither loopback nor unix: "remote".
func startServer(t *testing.T, a *Authorizer) *grpc.ClientConn {
	t.Helper()
	blobs := cas.NewMemoryStore()
	ac := cas.NewActionCache(blobs)
	opts := server.Options{Execution: true, UploadDir: filepath.Join(t.TempDir(), "uploads"),
		CanUpdateActionCache: func(ctx context.Context) bool { return a.Allows(ctx, CacheWrite) }}
	g := grpc.NewServer(grpc.ChainUnaryInterceptor(a.UnaryInterceptor), grpc.ChainStreamInterceptor(a.StreamInterceptor))
	server.Register(g, blobs, ac, opts)
	sched := execution.New(blobs, ac, execution.Options{})
	sched.Register(g)
	healthpb.RegisterHealthServer(g, health.NewServer())
	lis := bufconn.Listen(1 << 20)
	go g.Serve(lis)
	t.Cleanup(func() { sched.Close(); g.Stop() })
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func teamTable(t *testing.T) *Table {
	t.Helper()
	table, err := Parse(strings.NewReader(execToken + " execute\n" + writeToken + " execute,cache-write\n" + workerToken + " worker\n"))
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// calls are one RPC of each role, as a client makes them.
var calls = map[string]func(ctx context.Context, conn *grpc.ClientConn) error{
	"capabilities": func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := repb.NewCapabilitiesClient(conn).GetCapabilities(ctx, &repb.GetCapabilitiesRequest{})
		return err
	},
	"find-missing": func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := repb.NewContentAddressableStorageClient(conn).FindMissingBlobs(ctx, &repb.FindMissingBlobsRequest{})
		return err
	},
	"get-result": func(ctx context.Context, conn *grpc.ClientConn) error {
		d := digest.SHA256.FromBytes([]byte("no such action")).Proto()
		_, err := repb.NewActionCacheClient(conn).GetActionResult(ctx, &repb.GetActionResultRequest{ActionDigest: d})
		if status.Code(err) == codes.NotFound {
			return nil
		}
		return err
	},
	"update-result": func(ctx context.Context, conn *grpc.ClientConn) error {
		d := digest.SHA256.FromBytes([]byte("forged action")).Proto()
		_, err := repb.NewActionCacheClient(conn).UpdateActionResult(ctx, &repb.UpdateActionResultRequest{
			ActionDigest: d, ActionResult: &repb.ActionResult{ExitCode: 0}})
		return err
	},
	"lease": func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := workerpb.NewWorkersClient(conn).Lease(ctx, &workerpb.LeaseRequest{WorkerId: "rogue", MaxWait: durationpb.New(0)})
		return err
	},
	"execute-stream": func(ctx context.Context, conn *grpc.ClientConn) error {
		// A stream refused by the interceptor fails at the first Recv.
		st, err := repb.NewExecutionClient(conn).WaitExecution(ctx, &repb.WaitExecutionRequest{Name: "unknown-op"})
		if err == nil {
			_, err = st.Recv()
		}
		if status.Code(err) == codes.NotFound {
			return nil
		}
		return err
	},
	"health": func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	},
}

func withToken(token string) context.Context {
	if token == "" {
		return context.Background()
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

type want map[string]codes.Code // call -> code; calls left out must be OK

func checkCalls(t *testing.T, conn *grpc.ClientConn, token string, w want) {
	t.Helper()
	for name, call := range calls {
		if got := status.Code(call(withToken(token), conn)); got != w[name] {
			t.Errorf("token %q, %s: %v, want %v", token, name, got, w[name])
		}
	}
}

func TestTokensRequired(t *testing.T) {
	var l logs
	a := New(Options{Required: true, InternalToken: internal, Logf: l.logf}, teamTable(t))
	conn := startServer(t, a)
	unauth := want{"capabilities": codes.Unauthenticated, "find-missing": codes.Unauthenticated, "get-result": codes.Unauthenticated,
		"update-result": codes.Unauthenticated, "lease": codes.Unauthenticated, "execute-stream": codes.Unauthenticated}
	checkCalls(t, conn, "", unauth)
	checkCalls(t, conn, "not-a-token", unauth)
	checkCalls(t, conn, execToken, want{"update-result": codes.PermissionDenied, "lease": codes.PermissionDenied})
	checkCalls(t, conn, writeToken, want{"lease": codes.PermissionDenied})
	checkCalls(t, conn, workerToken, want{"get-result": codes.PermissionDenied, "update-result": codes.PermissionDenied,
		"execute-stream": codes.PermissionDenied})
	checkCalls(t, conn, internal, want{"get-result": codes.PermissionDenied, "update-result": codes.PermissionDenied,
		"execute-stream": codes.PermissionDenied})
	for _, line := range l.lines {
		for _, secret := range []string{execToken, writeToken, workerToken, internal, "not-a-token"} {
			if strings.Contains(line, secret) {
				t.Fatalf("a token reached the log: %q", line)
			}
		}
	}
	if len(l.lines) == 0 || !strings.Contains(l.lines[0], "bufconn") {
		t.Errorf("refusals logged as %q, want lines naming the peer", l.lines)
	}
}

func TestOpenDefaults(t *testing.T) {
	a := New(Options{InternalToken: internal}, nil)
	conn := startServer(t, a)
	// bufconn is not a local peer: no worker protocol without a token.
	checkCalls(t, conn, "", want{"update-result": codes.PermissionDenied, "lease": codes.PermissionDenied})
	checkCalls(t, conn, "some-client-token", want{"update-result": codes.PermissionDenied, "lease": codes.PermissionDenied})
	checkCalls(t, conn, internal, want{"update-result": codes.PermissionDenied})
	err := calls["update-result"](context.Background(), conn)
	if !strings.Contains(status.Convert(err).Message(), "--allow-cache-writes") {
		t.Errorf("refused cache write says %q, want it to name --allow-cache-writes", err)
	}
	caps, err := repb.NewCapabilitiesClient(conn).GetCapabilities(context.Background(), &repb.GetCapabilitiesRequest{})
	if err != nil || caps.GetCacheCapabilities().GetActionCacheUpdateCapabilities().GetUpdateEnabled() {
		t.Errorf("Capabilities say update_enabled=%v (%v), want false", caps.GetCacheCapabilities().GetActionCacheUpdateCapabilities(), err)
	}

	open := startServer(t, New(Options{AllowCacheWrites: true}, nil))
	checkCalls(t, open, "", want{"lease": codes.PermissionDenied})
}

// SetTable takes effect on the next call: a token added works, a removed
// one stops working.
func TestSetTable(t *testing.T) {
	a := New(Options{Required: true}, teamTable(t))
	conn := startServer(t, a)
	caps := calls["capabilities"]
	if err := caps(withToken("new-token"), conn); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("new token before reload: %v", err)
	}
	table, _ := Parse(strings.NewReader("new-token execute\n"))
	a.SetTable(table)
	if err := caps(withToken("new-token"), conn); err != nil {
		t.Errorf("new token after reload: %v", err)
	}
	if err := caps(withToken(execToken), conn); status.Code(err) != codes.Unauthenticated {
		t.Errorf("removed token after reload: %v, want Unauthenticated", err)
	}
}

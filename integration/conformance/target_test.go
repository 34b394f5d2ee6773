package conformance

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// Profiles: what part of the API the endpoint is expected to serve.
const (
	profileFull  = "full"  // CAS, ByteStream, ActionCache, Execution
	profileCache = "cache" // no Execution
)

// target is the endpoint under test, shared by every check of one run.
type target struct {
	addr     string
	instance string
	profile  string
	peer     string
	conn     *grpc.ClientConn
	caps     *repb.ServerCapabilities
}

// openTarget dials REX_CONFORMANCE_SERVER, or starts a rex-server with
// embedded workers when it is unset.
func openTarget(t *testing.T) *target {
	t.Helper()
	tg := &target{
		addr:     os.Getenv("REX_CONFORMANCE_SERVER"),
		instance: os.Getenv("REX_CONFORMANCE_INSTANCE"),
		profile:  envOr("REX_CONFORMANCE_PROFILE", profileFull),
		peer:     os.Getenv("REX_CONFORMANCE_PEER"),
	}
	if tg.profile != profileFull && tg.profile != profileCache {
		t.Fatalf("REX_CONFORMANCE_PROFILE=%q: want %q or %q", tg.profile, profileFull, profileCache)
	}
	if tg.addr == "" {
		// The suite writes the action cache as a client would.
		srv := testenv.StartServer(t, "", "--workers", "2", "--allow-cache-writes")
		tg.addr = srv.Addr
		if tg.peer == "" {
			tg.peer = peerRex
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("rex-server log:\n%s", srv.Log())
			}
		})
	}
	conn, err := dial(tg.addr)
	if err != nil {
		t.Fatalf("dial %s: %v", tg.addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	tg.conn = conn
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	caps, err := repb.NewCapabilitiesClient(conn).GetCapabilities(ctx,
		&repb.GetCapabilitiesRequest{InstanceName: tg.instance})
	if err != nil {
		t.Fatalf("GetCapabilities on %s: %v", tg.addr, err)
	}
	tg.caps = caps
	t.Logf("target %s instance %q profile %s peer %q", tg.addr, tg.instance, tg.profile, tg.peer)
	return tg
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// dial accepts grpc://host:port, grpcs://host:port, unix:///path and host:port.
func dial(addr string) (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	target := addr
	switch {
	case strings.HasPrefix(addr, "grpc://"):
		target = strings.TrimPrefix(addr, "grpc://")
	case strings.HasPrefix(addr, "grpcs://"):
		target = strings.TrimPrefix(addr, "grpcs://")
		creds = credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	case strings.HasPrefix(addr, "unix://"):
	case strings.Contains(addr, "://"):
		return nil, fmt.Errorf("unsupported scheme in %q", addr)
	}
	return grpc.NewClient(target,
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)))
}

// functions lists the digest functions both the suite and the server's CAS
// support, SHA-256 first.
func (tg *target) functions() []digest.Function {
	var out []digest.Function
	for _, f := range digest.Functions {
		for _, v := range tg.caps.GetCacheCapabilities().GetDigestFunctions() {
			if v == f.Proto() {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// executes reports whether the server says it can execute actions hashed with f.
func (tg *target) executes(f digest.Function) bool {
	ec := tg.caps.GetExecutionCapabilities()
	if !ec.GetExecEnabled() {
		return false
	}
	if ec.GetDigestFunction() == f.Proto() {
		return true
	}
	for _, v := range ec.GetDigestFunctions() {
		if v == f.Proto() {
			return true
		}
	}
	return false
}

// session is one digest function's view of the target, with the stubs.
type session struct {
	*target
	fn   digest.Function
	cas  repb.ContentAddressableStorageClient
	ac   repb.ActionCacheClient
	exec repb.ExecutionClient
	bs   bytestream.ByteStreamClient
}

func (tg *target) session(f digest.Function) *session {
	return &session{
		target: tg,
		fn:     f,
		cas:    repb.NewContentAddressableStorageClient(tg.conn),
		ac:     repb.NewActionCacheClient(tg.conn),
		exec:   repb.NewExecutionClient(tg.conn),
		bs:     bytestream.NewByteStreamClient(tg.conn),
	}
}

// ctx is a per-check deadline: a hung server fails the check, not the run.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// maxBatch is the largest BatchUpdate/BatchRead the server accepts; 0 in
// the capabilities means "no limit" (gRPC's message limit still applies).
func (s *session) maxBatch() int64 {
	if n := s.caps.GetCacheCapabilities().GetMaxBatchTotalSizeBytes(); n > 0 {
		return n
	}
	return 4 << 20
}

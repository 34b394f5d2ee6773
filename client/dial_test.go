package client

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		addr, target string
		tls, bad     bool
	}{
		{addr: "grpc://127.0.0.1:8980", target: "passthrough:///127.0.0.1:8980"},
		{addr: "grpcs://cache.example:443", target: "passthrough:///cache.example:443", tls: true},
		{addr: "unix:///run/rex.sock", target: "unix:///run/rex.sock"},
		{addr: "localhost:8980", target: "passthrough:///localhost:8980"},
		{addr: "", bad: true},
		{addr: "http://x:1", bad: true},
		{addr: "unix://relative.sock", bad: true},
		{addr: "grpc://", bad: true},
		{addr: "grpc://host:1/path", bad: true},
	}
	for _, tc := range cases {
		target, useTLS, err := parseTarget(tc.addr)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: accepted as %q", tc.addr, target)
			}
			continue
		}
		if err != nil || target != tc.target || useTLS != tc.tls {
			t.Errorf("%q: (%q, %v, %v), want (%q, %v)", tc.addr, target, useTLS, err, tc.target, tc.tls)
		}
	}
}

// TestDeadServerFailsFast: Dial itself does no I/O, and the first RPC to a
// closed port returns UNAVAILABLE at once rather than retrying until the
// caller's deadline, so the wrapper can fall back to a local compile.
func TestDeadServerFailsFast(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	c, err := Dial(context.Background(), Config{Server: "grpc://" + addr, RPCTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Dial must not connect: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err = c.GetActionResult(ctx, testAction, nil)
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("err = %v, want Unavailable", err)
	}
	t.Logf("failed in %v", time.Since(start))
}

// TestUnixSocket serves a fake over a real unix socket.
func TestUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "rex.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	f := newFake()
	s := grpc.NewServer()
	repb.RegisterContentAddressableStorageServer(s, f)
	go s.Serve(lis)
	defer s.Stop()
	c, err := Dial(context.Background(), Config{Server: "unix://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := digest.SHA256.FromBytes([]byte("x"))
	missing, err := c.FindMissing(context.Background(), []digest.Digest{d})
	if err != nil || len(missing) != 1 || missing[0] != d {
		t.Fatalf("FindMissing over unix socket: %v %v", missing, err)
	}
}

// TestSeparateCASServer: CAS and ByteStream calls go to CASServer, action
// cache calls to Server.
func TestSeparateCASServer(t *testing.T) {
	main, store := newFake(), newFake()
	lisMain, lisCAS := main.serve(t), store.serve(t)
	cfg := Config{Server: "grpc://main:1", CASServer: "grpc://cas:1"}
	cfg.Dialer = func(ctx context.Context, addr string) (net.Conn, error) {
		if addr == "cas:1" {
			return lisCAS.DialContext(ctx)
		}
		return lisMain.DialContext(ctx)
	}
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	big := blobOf(make([]byte, 5<<20))
	if err := c.Upload(ctx, []Blob{blobOf([]byte("small")), big}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetActionResult(ctx, testAction, nil); err != nil {
		t.Fatal(err)
	}
	if len(store.blobs) != 2 || len(main.blobs) != 0 || len(store.writes) != 1 {
		t.Errorf("CAS server holds %d blobs (%d streamed), main %d: want 2 (1), 0", len(store.blobs), len(store.writes), len(main.blobs))
	}
	if len(main.md) != 1 || len(store.md) != 3 {
		t.Errorf("calls: main %d, CAS %d; want 1 and 3 (FindMissing, batch, Write)", len(main.md), len(store.md))
	}
}

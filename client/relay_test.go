package client

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/relay"
)

// relayed starts a relay for f and returns a client configured to use it.
// started counts the relays the client asked to start.
func relayed(t *testing.T, f *fakeServer, cfg Config) (c *Client, started *int) {
	t.Helper()
	lis := f.serve(t)
	upstream := Config{Dialer: func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }}
	started = new(int)
	cfg.Server = "grpc://fake.example:1"
	cfg.Relay = &RelayConfig{Dir: t.TempDir(), Build: testBuild, Start: func(string, string) { *started++ }}
	return viaRelay(t, cfg, upstream), started
}

// viaRelay serves a relay for cfg.Server that reaches the server with
// upstream's transport, and returns a client configured by cfg.
func viaRelay(t *testing.T, cfg, upstream Config) *Client {
	t.Helper()
	up, err := DialUpstream(upstream, cfg.Server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	sock := RelaySocket(cfg, cfg.Server)
	served := make(chan error, 1)
	go func() { served <- relay.Serve(sock, up, time.Minute) }()
	t.Cleanup(func() {
		os.Remove(sock) // the relay exits once its socket is gone
		if err := <-served; err != nil {
			t.Errorf("relay: %v", err)
		}
	})
	waitForSocket(t, sock)
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testBuild() string { return "test" }

func waitForSocket(t *testing.T, sock string) {
	for range 200 {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no relay at %s", sock)
}

// Everything a compile asks passes through a relay unchanged: unary calls,
// client and server streams, the caller's metadata, and the server's errors.
func TestRelayPassesCallsAndMetadata(t *testing.T) {
	f := newFake()
	c, started := relayed(t, f, Config{Instance: "main", Token: "secret", Headers: map[string]string{"x-team": "compilers"}})
	ctx := context.Background()
	small := blobOf([]byte("small blob"))
	big := blobOf(bytes.Repeat([]byte("big"), 2<<20)) // 6 MiB: ByteStream Write, then Read
	if err := c.Upload(ctx, []Blob{small, big}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ReadBlobs(ctx, []digest.Digest{small.Digest, big.Digest})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[small.Digest], small.Data) || !bytes.Equal(got[big.Digest], big.Data) {
		t.Error("blobs read through the relay differ from those written")
	}
	if len(f.writes) != 1 || len(f.reads) != 1 {
		t.Errorf("server saw %d ByteStream writes and %d reads, want 1 and 1", len(f.writes), len(f.reads))
	}
	if r, err := c.GetActionResult(ctx, small.Digest, nil); err != nil || r != nil {
		t.Errorf("GetActionResult of an unknown action: %v, %v; want a miss (NotFound passed through)", r, err)
	}
	if *started != 0 {
		t.Errorf("asked to start %d relays while one served", *started)
	}
	for _, md := range f.md {
		if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer secret" {
			t.Fatalf("authorization upstream %q", got)
		}
		if md.Get("x-team")[0] != "compilers" || len(md.Get(requestMetadataKey)) != 1 {
			t.Fatalf("metadata upstream %v lacks the caller's headers", md)
		}
	}
}

// A relay that cannot reach the server says so, and the client stops at
// the first attempt as it would on its own failing connection.
func TestRelayOfAnUnreachableServer(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "grpc://" + l.Addr().String()
	l.Close() // nothing listens there now
	// One attempt: its own answer must say unreachable, not a retry's.
	cfg := Config{Server: addr, MaxAttempts: 1, Relay: &RelayConfig{Dir: dir, Build: testBuild, Always: true, Start: func(string, string) {}}}
	c := viaRelay(t, cfg, cfg)
	_, err = c.GetActionResult(context.Background(), digest.SHA256.FromBytes([]byte("a")), nil)
	if status.Code(err) != codes.Unavailable || !c.Unreachable(err) {
		t.Fatalf("GetActionResult through a relay of a dead server: %v; want Unavailable, unreachable", err)
	}
}

// Without a relay the client dials directly and asks for one, for the
// next process; local servers are not relayed unless asked.
func TestNoRelayDialsDirectlyAndStartsOne(t *testing.T) {
	f := newFake()
	lis := f.serve(t)
	var asked []string
	cfg := Config{
		Server: "grpc://fake.example:1",
		Dialer: func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) },
		Relay:  &RelayConfig{Dir: t.TempDir(), Build: testBuild, Start: func(e, s string) { asked = append(asked, e, s) }},
	}
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Capabilities(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 || asked[0] != cfg.Server || asked[1] != RelaySocket(cfg, cfg.Server) {
		t.Errorf("asked to start %v, want one relay for %s", asked, cfg.Server)
	}
	for _, local := range []string{"grpc://127.0.0.1:8980", "localhost:8980", "grpcs://[::1]:443", "unix:///run/rex.sock"} {
		if RelaySocket(cfg, local) != "" {
			t.Errorf("%s would be relayed", local)
		}
	}
	cfg.Relay.Dir = filepath.Join(t.TempDir(), string(bytes.Repeat([]byte("d"), 100)))
	if RelaySocket(cfg, cfg.Server) != "" {
		t.Error("a socket path too long for sun_path")
	}
}

// A relay that accepts but never answers (stopped, stuck) costs a compile
// a second's wait, then a direct dial; never a hang.
func TestStuckRelayIsPassedBy(t *testing.T) {
	f := newFake()
	lis := f.serve(t)
	var asked int
	cfg := Config{
		Server: "grpc://fake.example:1",
		Dialer: func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) },
		Relay:  &RelayConfig{Dir: t.TempDir(), Build: testBuild, Start: func(string, string) { asked++ }},
	}
	stuck, err := net.Listen("unix", RelaySocket(cfg, cfg.Server)) // accepts, says nothing
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Capabilities(context.Background()); err != nil {
		t.Fatalf("Capabilities past a stuck relay: %v", err)
	}
	if asked != 1 || f.capsCalls != 1 {
		t.Errorf("asked for %d relays, the server saw %d calls; want 1 and 1 (a direct dial)", asked, f.capsCalls)
	}
}

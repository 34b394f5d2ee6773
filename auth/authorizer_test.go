package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

const leaseMethod = "/rex.worker.v1.Workers/Lease"

func fromPeer(addr net.Addr) context.Context {
	return peer.NewContext(context.Background(), &peer.Peer{Addr: addr})
}

// Without --tokens the worker protocol is for this machine only.
func TestWorkerPeerCheck(t *testing.T) {
	a := New(Options{}, nil)
	for _, tc := range []struct {
		addr net.Addr
		want codes.Code
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}, codes.OK},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 5000}, codes.OK},
		{&net.UnixAddr{Name: "/run/rex.sock", Net: "unix"}, codes.OK},
		{&net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 5000}, codes.PermissionDenied},
		{&net.TCPAddr{IP: net.IPv4(192, 168, 0, 7), Port: 5000}, codes.PermissionDenied},
	} {
		if got := status.Code(a.Authorize(fromPeer(tc.addr), leaseMethod)); got != tc.want {
			t.Errorf("lease from %v: %v, want %v", tc.addr, got, tc.want)
		}
	}
	// With tokens, being local is not a credential.
	required := New(Options{Required: true}, nil)
	if got := status.Code(required.Authorize(fromPeer(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}), leaseMethod)); got != codes.Unauthenticated {
		t.Errorf("local lease without a token under --tokens: %v", got)
	}
}

func TestUnknownMethodDenied(t *testing.T) {
	a := New(Options{AllowCacheWrites: true}, nil)
	for _, m := range []string{"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "/rex.worker.v1.Workers/Steal", ""} {
		if got := status.Code(a.Authorize(context.Background(), m)); got != codes.PermissionDenied {
			t.Errorf("%q: %v, want PermissionDenied", m, got)
		}
	}
}

// A malformed authorization header is refused when credentials are
// required, and ignored by an open server (it may be meant for another).
func TestMalformedAuthorization(t *testing.T) {
	required, open := New(Options{Required: true}, nil), New(Options{}, nil)
	caps := "/build.bazel.remote.execution.v2.Capabilities/GetCapabilities"
	for _, h := range []string{"Basic dXNlcg==", "Bearer ", "bearer tok"} {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", h))
		if got := status.Code(required.Authorize(ctx, caps)); got != codes.Unauthenticated {
			t.Errorf("authorization %q, tokens required: %v, want Unauthenticated", h, got)
		}
		if err := open.Authorize(ctx, caps); err != nil {
			t.Errorf("authorization %q, open server: %v", h, err)
		}
	}
}

// withCert is a call over TLS whose client certificate (subject CN) the
// handshake verified.
func withCert(cn string, token string) context.Context {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: cn}}
	info := credentials.TLSInfo{State: tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}}}
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 9)}, AuthInfo: info})
	if token != "" {
		ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("authorization", "Bearer "+token))
	}
	return ctx
}

func TestClientCertificateRoles(t *testing.T) {
	table := teamTable(t)
	table.certs["ci-bot"] = Execute | CacheWrite
	a := New(Options{Required: true, CertRoles: Execute}, table)
	update := "/build.bazel.remote.execution.v2.ActionCache/UpdateActionResult"
	caps := "/build.bazel.remote.execution.v2.Capabilities/GetCapabilities"
	for _, tc := range []struct {
		ctx    context.Context
		method string
		want   codes.Code
	}{
		{withCert("laptop", ""), caps, codes.OK},                   // default roles
		{withCert("laptop", ""), update, codes.PermissionDenied},   // default roles lack cache-write
		{withCert("ci-bot", ""), update, codes.OK},                 // its cert: line
		{withCert("laptop", writeToken), update, codes.OK},         // token roles add up
		{withCert("laptop", "bogus"), caps, codes.Unauthenticated}, // a bad token is never hidden
		{withCert("laptop", workerToken), leaseMethod, codes.OK},   // union of both
		{fromPeer(&net.TCPAddr{IP: net.IPv4(10, 0, 0, 9)}), caps, codes.Unauthenticated},
	} {
		if got := status.Code(a.Authorize(tc.ctx, tc.method)); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.method, got, tc.want)
		}
	}
}

// A flood of refusals logs a bounded number of lines.
func TestRefusalLogIsBounded(t *testing.T) {
	var l logs
	a := New(Options{Required: true, Logf: l.logf}, nil)
	for range 1000 {
		a.Authorize(context.Background(), leaseMethod)
	}
	if len(l.lines) != logBurst {
		t.Errorf("%d lines for 1000 refusals, want %d", len(l.lines), logBurst)
	}
}

// BenchmarkAuthorize measures the cost a token check adds to every call,
// against a tokens file of 100 lines.
func BenchmarkAuthorize(b *testing.B) {
	var lines string
	for i := range 100 {
		lines += "token-number-" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + " execute\n"
	}
	table, err := Parse(strings.NewReader(lines))
	if err != nil {
		b.Fatal(err)
	}
	a := New(Options{Required: true}, table)
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer token-number-vd"))
	for b.Loop() {
		if err := a.Authorize(ctx, "/build.bazel.remote.execution.v2.ActionCache/GetActionResult"); err != nil {
			b.Fatal(err)
		}
	}
}

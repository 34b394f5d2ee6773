package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// selfSigned returns a certificate for 127.0.0.1 and its PEM encoding.
func selfSigned(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "rex test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestTLS dials grpcs:// with a CA file against a real TLS listener, and
// checks that without that CA the server is not trusted.
// tlsServer serves Capabilities over TLS with a self-signed certificate:
// its address and the CA file that trusts it.
func tlsServer(t *testing.T) (addr, caFile string) {
	t.Helper()
	cert, caPEM := selfSigned(t)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})))
	repb.RegisterCapabilitiesServer(s, newFake())
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return "grpcs://" + lis.Addr().String(), caFile
}

func TestTLS(t *testing.T) {
	addr, caFile := tlsServer(t)
	ctx := context.Background()

	c, err := Dial(ctx, Config{Server: addr, TLSCAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Capabilities(ctx); err != nil {
		t.Fatalf("Capabilities over TLS: %v", err)
	}
	untrusted, err := Dial(ctx, Config{Server: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer untrusted.Close()
	if _, err := untrusted.Capabilities(ctx); err == nil {
		t.Fatal("a server signed by an unknown CA was trusted")
	}
	if _, err := Dial(ctx, Config{Server: addr, TLSCAFile: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Fatal("missing CA file accepted")
	}
}

// A relay speaks TLS to the server with the compile's TLS settings; a
// certificate file that changes is another connection, so another relay.
func TestRelayOverTLS(t *testing.T) {
	addr, caFile := tlsServer(t)
	cfg := Config{Server: addr, TLSCAFile: caFile,
		Relay: &RelayConfig{Dir: t.TempDir(), Build: testBuild, Always: true, Start: func(string, string) { t.Error("asked for a relay while one serves") }}}
	c := viaRelay(t, cfg, cfg)
	if _, err := c.Capabilities(context.Background()); err != nil {
		t.Fatalf("Capabilities through a relay over TLS: %v", err)
	}
	sock := RelaySocket(cfg, addr)
	later := time.Now().Add(time.Hour)
	os.Chtimes(caFile, later, later)
	if RelaySocket(cfg, addr) == sock {
		t.Error("a changed CA file keeps the same relay")
	}
}

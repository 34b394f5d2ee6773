package security

import (
	"bytes"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// Mutual TLS: a certificate the client CA signed is a credential, with the
// roles of its cert:CN line or --client-cert-roles; no certificate (and no
// token) is refused, and a certificate from another CA fails the handshake.
func TestMutualTLS(t *testing.T) {
	skipShort(t)
	requireGxx(t)
	ca := newAuthority(t, "team")
	serverCert, serverKey := ca.issue("rex-server", true)
	botCert, botKey := ca.issue("ci-bot", false)
	laptopCert, laptopKey := ca.issue("laptop", false)
	rogue := newAuthority(t, "rogue")
	rogueCert, rogueKey := rogue.issue("ci-bot", false)

	srv, _ := tokensServer(t, teamTokens+"cert:ci-bot execute,cache-write\n", "--workers", "1",
		"--tls-cert", serverCert, "--tls-key", serverKey, "--tls-client-ca", ca.pem)
	addr := "grpcs://" + strings.TrimPrefix(srv.Addr, "grpc://")
	connAs := func(certFile, keyFile string) *grpc.ClientConn {
		return dialWith(t, addr, credentials.NewTLS(clientTLS(t, ca, certFile, keyFile)))
	}
	update := func(conn *grpc.ClientConn, token string) error {
		_, err := repb.NewActionCacheClient(conn).UpdateActionResult(callCtx(t, token), &repb.UpdateActionResultRequest{
			ActionDigest: digest.SHA256.FromBytes([]byte("a")).Proto(), ActionResult: &repb.ActionResult{}})
		return err
	}
	bot, laptop, none := connAs(botCert, botKey), connAs(laptopCert, laptopKey), connAs("", "")
	for _, tc := range []struct {
		name        string
		conn        *grpc.ClientConn
		token       string
		read, write codes.Code
	}{
		{"ci-bot certificate", bot, "", codes.OK, codes.OK},
		{"laptop certificate (default roles)", laptop, "", codes.OK, codes.PermissionDenied},
		{"laptop certificate and a cache-write token", laptop, writeToken, codes.OK, codes.OK},
		{"no certificate", none, "", codes.Unauthenticated, codes.Unauthenticated},
		{"no certificate, an execute token", none, execToken, codes.OK, codes.PermissionDenied},
	} {
		if got := status.Code(capabilities(t, tc.conn, tc.token)); got != tc.read {
			t.Errorf("%s: GetCapabilities %v, want %v", tc.name, got, tc.read)
		}
		if got := status.Code(update(tc.conn, tc.token)); got != tc.write {
			t.Errorf("%s: UpdateActionResult %v, want %v", tc.name, got, tc.write)
		}
	}
	if err := capabilities(t, connAs(rogueCert, rogueKey), ""); err == nil {
		t.Error("a certificate from another CA was accepted")
	}

	tlsEnv := []string{"REX_TLS_CA_CERT=" + ca.pem}
	p := newProject(t, addr, append(tlsEnv, "REX_TLS_CLIENT_CERT="+laptopCert, "REX_TLS_CLIENT_KEY="+laptopKey)...)
	want := p.local()
	if got, c := p.compile(); c.RemoteExecutions != 1 || !bytes.Equal(got, want) {
		t.Errorf("rex with a client certificate: %+v, identical %v", c, bytes.Equal(got, want))
	}
	anon := newProjectIn(t, p.dir, addr, tlsEnv...)
	if got, c := anon.compile(); c.LocalFallbacks != 1 || !bytes.Equal(got, want) {
		t.Errorf("rex without a certificate: %+v, want a local fallback with the same object", c)
	}
}

package security

import (
	"bytes"
	"os"
	"strings"
	"syscall"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// Each missing or insufficient credential gets its code, on reads and on
// writes alike.
func TestTokenCodes(t *testing.T) {
	skipShort(t)
	srv, _ := tokensServer(t, teamTokens, "--workers", "0")
	conn := dial(t, srv.Addr)
	update := func(token string) error {
		_, err := repb.NewActionCacheClient(conn).UpdateActionResult(callCtx(t, token), &repb.UpdateActionResultRequest{
			ActionDigest: digest.SHA256.FromBytes([]byte("a")).Proto(), ActionResult: &repb.ActionResult{}})
		return err
	}
	for _, tc := range []struct {
		token       string
		read, write codes.Code
	}{
		{"", codes.Unauthenticated, codes.Unauthenticated},
		{"wrong-token", codes.Unauthenticated, codes.Unauthenticated},
		{execToken, codes.OK, codes.PermissionDenied},
		{writeToken, codes.OK, codes.OK},
	} {
		if got := status.Code(capabilities(t, conn, tc.token)); got != tc.read {
			t.Errorf("GetCapabilities with %q: %v, want %v", tc.token, got, tc.read)
		}
		if got := status.Code(update(tc.token)); got != tc.write {
			t.Errorf("UpdateActionResult with %q: %v, want %v", tc.token, got, tc.write)
		}
	}
	if strings.Contains(srv.Log(), "wrong-token") || strings.Contains(srv.Log(), execToken) {
		t.Errorf("a token reached the server log:\n%s", srv.Log())
	}
}

// rex with a good token executes remotely; with a bad one it compiles
// locally, counts the fallback and says why.
func TestRexToken(t *testing.T) {
	skipShort(t)
	requireGxx(t)
	srv, _ := tokensServer(t, teamTokens, "--workers", "1")
	tokenFile := writeFile(t, t.TempDir(), "token", execToken+"\n")
	good := newProject(t, srv.Addr, "REX_TOKEN_FILE="+tokenFile)
	want := good.local()
	if got, c := good.compile(); c.RemoteExecutions != 1 || !bytes.Equal(got, want) {
		t.Errorf("good token: %+v, identical %v; want one remote execution of the same object", c, bytes.Equal(got, want))
	}

	for name, env := range map[string]string{"bad token": "REX_TOKEN=not-a-team-token", "no token": "REX_VERBOSE=0"} {
		bad := newProjectIn(t, good.dir, srv.Addr, env)
		got, c := bad.compile()
		if c.LocalFallbacks != 1 || c.RemoteExecutions != 0 || !bytes.Equal(got, want) {
			t.Errorf("%s: %+v, identical %v; want one local fallback with the same object", name, c, bytes.Equal(got, want))
		}
		if s := bad.statsText(); !strings.Contains(s, "the server refused rex's credentials") {
			t.Errorf("%s: rex stats does not say the credentials were refused:\n%s", name, s)
		}
	}
}

// SIGHUP re-reads the tokens file: an added token works, a removed one
// stops working, and a broken file keeps the tokens in force.
func TestReloadOnSIGHUP(t *testing.T) {
	skipShort(t)
	srv, file := tokensServer(t, teamTokens, "--workers", "0")
	conn := dial(t, srv.Addr)
	const added = "added-tok-77aa3c"
	if err := capabilities(t, conn, added); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("token before it is added: %v", err)
	}
	reload := func(content, logLine string) {
		t.Helper()
		before := strings.Count(srv.Log(), logLine)
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := srv.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if !logCount(srv, logLine, before+1) {
			t.Fatalf("no %q after SIGHUP:\n%s", logLine, srv.Log())
		}
	}
	reload(added+" execute\n", "SIGHUP: reloaded 1 entries")
	if err := capabilities(t, conn, added); err != nil {
		t.Errorf("added token after SIGHUP: %v", err)
	}
	if err := capabilities(t, conn, execToken); status.Code(err) != codes.Unauthenticated {
		t.Errorf("removed token after SIGHUP: %v, want Unauthenticated", err)
	}
	reload("this line has no role\n", "SIGHUP: keeping the previous tokens")
	if err := capabilities(t, conn, added); err != nil {
		t.Errorf("after a broken reload the token in force stopped working: %v", err)
	}
}

// Health answers SERVING, with or without a token.
func TestHealth(t *testing.T) {
	skipShort(t)
	srv, _ := tokensServer(t, teamTokens, "--workers", "0")
	resp, err := healthpb.NewHealthClient(dial(t, srv.Addr)).Check(callCtx(t, ""), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health: %v, %v; want SERVING", resp, err)
	}
}

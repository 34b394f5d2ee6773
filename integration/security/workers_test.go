package security

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/workerpb"
)

func lease(t *testing.T, conn *grpc.ClientConn, token string) error {
	_, err := workerpb.NewWorkersClient(conn).Lease(callCtx(t, token),
		&workerpb.LeaseRequest{WorkerId: "rogue", MaxWait: durationpb.New(0)})
	return err
}

// A gRPC client of the worker protocol needs the worker role to lease work
// (and so read sources and report forged results).
func TestRogueWorker(t *testing.T) {
	skipShort(t)
	srv, _ := tokensServer(t, teamTokens, "--workers", "0")
	conn := dial(t, srv.Addr)
	for _, tc := range []struct {
		token string
		want  codes.Code
	}{
		{"", codes.Unauthenticated},
		{"guessed-token", codes.Unauthenticated},
		{execToken, codes.PermissionDenied},
		{writeToken, codes.PermissionDenied},
		{workerToken, codes.OK},
	} {
		if got := status.Code(lease(t, conn, tc.token)); got != tc.want {
			t.Errorf("Lease with token %q: %v, want %v", tc.token, got, tc.want)
		}
	}
	// Without --tokens a loopback peer is this machine's own worker; the
	// refusal of a remote one is TestWorkerPeerCheck in package auth.
	open := testenv.StartServer(t, "", "--workers", "0")
	if err := lease(t, dial(t, open.Addr), ""); err != nil {
		t.Errorf("loopback Lease without --tokens: %v", err)
	}
}

// A standalone rex-worker with a worker token runs the compiles of a
// server that has no embedded workers.
func TestStandaloneWorkerToken(t *testing.T) {
	skipShort(t)
	requireGxx(t)
	srv, _ := tokensServer(t, teamTokens, "--workers", "0")
	tokenFile := writeFile(t, t.TempDir(), "worker-token", workerToken+"\n")
	w := exec.Command(testenv.Bin(t, "rex-worker"), "--server", srv.Addr, "--dir", filepath.Join(t.TempDir(), "w"),
		"--token-file", tokenFile)
	var wlog bytes.Buffer
	w.Stdout, w.Stderr = &wlog, &wlog
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Process.Kill(); w.Wait() })
	p := newProject(t, srv.Addr, "REX_TOKEN="+execToken)
	want := p.local()
	got, c := p.compile()
	if c.RemoteExecutions != 1 || !bytes.Equal(got, want) {
		t.Errorf("compile through rex-worker: %+v, identical %v\nworker log:\n%s", c, bytes.Equal(got, want), wlog.String())
	}
}

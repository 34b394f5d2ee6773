package security

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	bspb "google.golang.org/genproto/googleapis/bytestream"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// startRaw starts rex-server with exactly args, its output in log.
func startRaw(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(testenv.Bin(t, "rex-server"), args...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &log
}

// A server on every interface with nobody asked who they are refuses to
// start, and says why and what to do; --insecure overrides.
func TestNonLoopbackListen(t *testing.T) {
	skipShort(t)
	port := testenv.FreePort(t)
	listen := fmt.Sprintf("0.0.0.0:%d", port)
	cmd, log := startRaw(t, "--listen", listen, "--dir", t.TempDir(), "--workers", "0")
	err := cmd.Wait()
	if err == nil {
		t.Fatalf("rex-server on %s without --tokens started:\n%s", listen, log)
	}
	for _, want := range []string{"refusing to listen on 0.0.0.0", "--tokens", "--tls-client-ca", "--insecure"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("refusal does not mention %q:\n%s", want, log)
		}
	}

	cmd, log = startRaw(t, "--listen", listen, "--dir", t.TempDir(), "--workers", "0", "--insecure")
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if !dialable(fmt.Sprintf("127.0.0.1:%d", port)) {
		t.Fatalf("rex-server --insecure did not listen:\n%s", log)
	}
	if err := capabilities(t, dial(t, fmt.Sprintf("grpc://127.0.0.1:%d", port)), ""); err != nil {
		t.Errorf("--insecure server: %v", err)
	}
}

// SIGTERM stops the server even while a client holds an upload open: the
// stream gets --shutdown-grace, then it is cut and the server exits 0.
func TestShutdownOnSIGTERM(t *testing.T) {
	skipShort(t)
	port := testenv.FreePort(t)
	cmd, log := startRaw(t, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--dir", t.TempDir(), "--workers", "1",
		"--shutdown-grace", "1s")
	exited := make(chan error, 1)
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	go func() { exited <- cmd.Wait() }()
	if !dialable(fmt.Sprintf("127.0.0.1:%d", port)) {
		t.Fatalf("rex-server did not listen:\n%s", log)
	}
	conn := dial(t, fmt.Sprintf("grpc://127.0.0.1:%d", port))
	data := []byte("half of an upload that never finishes")
	d := digest.SHA256.FromBytes(append(data, data...))
	w, err := bspb.NewByteStreamClient(conn).Write(callCtx(t, ""))
	if err == nil {
		err = w.Send(&bspb.WriteRequest{ResourceName: digest.WriteName("", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", digest.SHA256, d, ""), Data: data})
	}
	if err != nil {
		t.Fatal(err)
	}
	// The stream is open on the server once the first chunk is accepted:
	// QueryWriteStatus reports it.
	for committed := int64(0); committed == 0; {
		st, err := bspb.NewByteStreamClient(conn).QueryWriteStatus(callCtx(t, ""), &bspb.QueryWriteStatusRequest{
			ResourceName: digest.WriteName("", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", digest.SHA256, d, "")})
		if err == nil {
			committed = st.GetCommittedSize()
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("rex-server after SIGTERM: %v\n%s", err, log)
		}
	case <-time.After(time.Minute):
		t.Fatalf("rex-server still runs a minute after SIGTERM with --shutdown-grace 1s:\n%s", log)
	}
	if !strings.Contains(log.String(), "cutting them") {
		t.Errorf("the open upload was not cut:\n%s", log)
	}
}

func dialable(hostport string) bool {
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", hostport); err == nil {
			c.Close()
			return true
		}
	}
	return false
}

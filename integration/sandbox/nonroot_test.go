package sandbox

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/integration/testenv"
)

// startServerAsNobody runs a copy of bin/rex-server as uid 65534 (where it
// cannot build the sandbox) with one embedded worker, and returns its
// address and log.
func startServerAsNobody(t *testing.T, extra ...string) (string, *strings.Builder) {
	t.Helper()
	dir, err := os.MkdirTemp("", "rex-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "rex-server")
	data, err := os.ReadFile(testenv.Bin(t, "rex-server"))
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	if err := os.WriteFile(bin, data, 0o755); err != nil || os.Mkdir(store, 0o755) != nil ||
		os.Chown(store, 65534, 65534) != nil || os.Chmod(dir, 0o755) != nil {
		t.Fatalf("set up %s for nobody: %v", dir, err)
	}
	hostport := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	log := &strings.Builder{}
	cmd := exec.Command(bin, append([]string{"--listen", hostport, "--dir", store, "--workers", "1"}, extra...)...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", hostport); err == nil {
			c.Close()
			return "grpc://" + hostport, log
		}
		if i == 750 {
			t.Fatalf("rex-server as nobody did not listen:\n%s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNonRootServerRefusesActionsUnlessToldNone(t *testing.T) {
	requireRoot(t) // to switch to nobody
	// A marker nobody may write, were the action run unisolated.
	markers, err := os.MkdirTemp("", "rex-marker-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(markers) })
	os.Chmod(markers, 0o777)
	marker := filepath.Join(markers, "ran")
	addr, log := startServerAsNobody(t)
	_, err, _ = run(t, addr, sh("touch "+marker), nil)
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "sandbox is unavailable") ||
		!strings.Contains(err.Error(), "--sandbox none") {
		t.Errorf("a non-root server in auto mode: %v; want FAILED_PRECONDITION naming --sandbox none", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the action ran unisolated")
	}
	if !strings.Contains(log.String(), "sandbox is unavailable") {
		t.Errorf("the log does not say the sandbox is unavailable:\n%s", log)
	}

	addr, _ = startServerAsNobody(t, "--sandbox", "none")
	if _, err, out := run(t, addr, sh("id -u; touch "+marker), nil); err != nil || out.stdout != "65534\n" {
		t.Errorf("--sandbox none as nobody: %v %q; want the action run as the server's user", err, out.stdout)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the unisolated action left no marker: %v", err)
	}
}

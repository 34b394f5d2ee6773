package interop

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// buildbarnAddr is where scripts/peers/buildbarn/start serves every REAPI
// service (instance name ""); its worker advertises no platform properties.
const buildbarnAddr = "grpc://127.0.0.1:18981"

// peersDir is where scripts/peers/install puts the peers.
func peersDir() string {
	if d := os.Getenv("REX_PEERS_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "rex-peers")
}

// peerBin returns the path of an installed peer binary, or skips the test
// saying how to install it.
func peerBin(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(peersDir(), "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("peer %s is not installed in %s: run scripts/peers/install (scripts/interop does)", name, peersDir())
	}
	return p
}

var (
	bbOnce    sync.Once
	bbErr     error
	bbStarted bool
)

// buildbarn makes sure a Buildbarn answers on buildbarnAddr, starting one
// with scripts/peers/buildbarn/start if needed (stopped by TestMain).
func buildbarn(t *testing.T) string {
	t.Helper()
	peerBin(t, "bb_worker")
	bbOnce.Do(func() {
		if listening(strings.TrimPrefix(buildbarnAddr, "grpc://")) {
			return
		}
		cmd := exec.Command(filepath.Join(testenv.RepoRoot(), "scripts", "peers", "buildbarn", "start"))
		if out, err := cmd.CombinedOutput(); err != nil {
			bbErr = fmt.Errorf("buildbarn start: %v\n%s", err, out)
			return
		}
		bbStarted = true
	})
	if bbErr != nil {
		t.Fatal(bbErr)
	}
	return buildbarnAddr
}

// stopBuildbarn stops Buildbarn if this process started it.
func stopBuildbarn() {
	if bbStarted {
		exec.Command(filepath.Join(testenv.RepoRoot(), "scripts", "peers", "buildbarn", "stop")).Run()
	}
}

// buildbarnLogs returns the tail of Buildbarn's logs, for failure reports.
func buildbarnLogs() string {
	var b strings.Builder
	for _, n := range []string{"bb_storage", "bb_scheduler", "bb_worker"} {
		data, _ := os.ReadFile(filepath.Join(peersDir(), "bb", "logs", n+".log"))
		if len(data) > 4000 {
			data = data[len(data)-4000:]
		}
		fmt.Fprintf(&b, "--- %s.log (tail)\n%s\n", n, data)
	}
	return b.String()
}

// startBazelRemote starts a fresh bazel-remote on free loopback ports and
// returns its gRPC address; it is stopped when the test ends.
func startBazelRemote(t *testing.T) string {
	t.Helper()
	bin := peerBin(t, "bazel-remote")
	grpcPort, httpPort := testenv.FreePort(t), testenv.FreePort(t)
	log := &strings.Builder{}
	cmd := exec.Command(bin, "--dir", t.TempDir(), "--max_size", "2", "--host", "127.0.0.1",
		"--port", fmt.Sprint(httpPort), "--grpc_port", fmt.Sprint(grpcPort))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("bazel-remote log (tail):\n%s", tail(log.String(), 3000))
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", grpcPort)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if listening(addr) {
			return "grpc://" + addr
		}
	}
	t.Fatalf("bazel-remote did not listen on %s:\n%s", addr, log)
	return ""
}

func listening(hostport string) bool {
	c, err := net.DialTimeout("tcp", hostport, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("interop: skipped in -short mode (scripts/interop runs it)")
		os.Exit(0)
	}
	code := m.Run()
	stopBuildbarn()
	os.Exit(code)
}

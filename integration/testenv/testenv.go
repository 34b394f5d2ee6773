// Package testenv gives integration tests the built rex binaries and a
// running rex-server, the way a user would have them.
package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// RepoRoot is the module root (the directory holding go.mod).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Bin builds bin/rex, bin/rex-server and bin/rex-worker once per test
// process into a private directory, and returns the path of the named one.
// REX_BIN_DIR, when set, names prebuilt binaries instead.
func Bin(t testing.TB, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		if dir := os.Getenv("REX_BIN_DIR"); dir != "" {
			binDir = dir
			return
		}
		dir, err := os.MkdirTemp("", "rex-bin-")
		if err != nil {
			buildErr = err
			return
		}
		// Built as users get them (static, the same tags).
		cmd := exec.Command(filepath.Join(RepoRoot(), "scripts", "build"), dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("scripts/build: %v\n%s", err, out)
			return
		}
		binDir = dir
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Server is a running rex-server process.
type Server struct {
	Addr string // grpc://127.0.0.1:PORT
	Dir  string
	Args []string
	cmd  *exec.Cmd
	log  *lockedBuffer
	t    testing.TB
}

// lockedBuffer collects the server's output while tests read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartServer starts bin/rex-server on a free loopback port with a data dir
// (a fresh temp dir when dir is ""), extra flags appended. It is stopped
// when the test ends.
func StartServer(t testing.TB, dir string, extra ...string) *Server {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	port := FreePort(t)
	s := &Server{
		Addr: fmt.Sprintf("grpc://127.0.0.1:%d", port),
		Dir:  dir,
		Args: append([]string{"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--dir", dir}, extra...),
		t:    t,
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start (re)starts the server process with the same address and flags.
func (s *Server) Start() {
	s.t.Helper()
	s.log = &lockedBuffer{}
	s.cmd = exec.Command(Bin(s.t, "rex-server"), s.Args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	hostport := strings.TrimPrefix(s.Addr, "grpc://")
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", hostport); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("rex-server did not listen on %s:\n%s", hostport, s.log.String())
}

// Stop kills the server and waits for it; safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Signal sends sig to the server process (SIGHUP: reload the tokens file).
func (s *Server) Signal(sig os.Signal) error {
	if s.cmd == nil || s.cmd.Process == nil {
		return fmt.Errorf("rex-server is not running")
	}
	return s.cmd.Process.Signal(sig)
}

// Log returns what the server printed so far.
func (s *Server) Log() string { return s.log.String() }

// PID is the running server's process id, for tests that read its
// resource use from /proc.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Result is what one command left: its output and exit status.
type Result struct {
	Stdout, Stderr string
	Exit           int
}

// Run runs argv in dir with the environment env, as a user's shell would.
// A command that cannot start fails the test; a non-zero exit is a result.
func Run(t testing.TB, dir string, env []string, argv ...string) Result {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%v: %v", argv, err)
	}
	return Result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

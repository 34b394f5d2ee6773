package relay

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// dialEnv names, in a copy of this test binary run as another user, the
// socket it connects to (see TestHelperDial).
const dialEnv = "RELAY_TEST_DIAL"

// TestHelperDial is not a test: run with dialEnv set, it connects to that
// socket and waits for the other end to close the connection.
func TestHelperDial(t *testing.T) {
	path := os.Getenv(dialEnv)
	if path == "" {
		t.Skip("a helper of TestRefusesAnotherUser")
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read %d bytes, %v; want the connection closed", n, err)
	}
}

// otherUser is the user the helper connects as.
const otherUser = 65534

// dialAs starts the helper, as otherUser, connecting to the socket at path.
func dialAs(t *testing.T, helper, path string) chan error {
	cmd := exec.Command(helper, "-test.run=^TestHelperDial$")
	cmd.Env = append(os.Environ(), dialEnv+"="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
		Uid: otherUser, Gid: otherUser, Groups: []uint32{}}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		if err != nil {
			t.Logf("helper: %s", out.Bytes())
		}
		done <- err
	}()
	return done
}

// sharedSocket listens on a socket every user may connect to, and returns
// a copy of this test binary every user may run.
func sharedSocket(t *testing.T) (*net.UnixListener, string, string) {
	dir, err := os.MkdirTemp("", "relay-peer")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	helper := filepath.Join(dir, "relay.test")
	if err := os.WriteFile(helper, b, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "s.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	os.Chmod(path, 0o777)
	return ln, path, helper
}

// The relay holds the user's connection to the server: a process of another
// user that reaches its socket is refused, one of the same user served. The
// peer's user is what the system says of the socket (SO_PEERCRED on Linux,
// LOCAL_PEERCRED on macOS and FreeBSD).
func TestRefusesAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("connecting as another user needs root")
	}
	ln, path, helper := sharedSocket(t)
	// The system's answer, read directly.
	raw := make(chan *net.UnixConn, 1)
	go func() {
		c, _ := ln.AcceptUnix() // nil once the listener is closed
		raw <- c
	}()
	done := dialAs(t, helper, path)
	select {
	case c := <-raw:
		if got := peerUID(c); got != otherUser {
			t.Errorf("peerUID of a process of user %d = %d", otherUser, got)
		}
		c.Close()
		if err := <-done; err != nil {
			t.Fatalf("helper: %v", err)
		}
	case err := <-done:
		t.Fatalf("the helper ended before it was accepted: %v", err)
	}
	// The relay's listener: the other user's connection is closed, then
	// the next, this user's, accepted.
	accepted := make(chan *net.UnixConn, 1)
	go func() {
		c, _ := sameUser{ln}.Accept() // nil once the listener is closed
		uc, _ := c.(*net.UnixConn)
		accepted <- uc
	}()
	select {
	case c := <-accepted:
		t.Fatalf("the listener accepted a connection of user %d", peerUID(c))
	case err := <-dialAs(t, helper, path):
		if err != nil {
			t.Fatalf("the other user's connection was not closed: %v", err)
		}
	}
	own, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if c := <-accepted; c == nil || peerUID(c) != os.Getuid() {
		t.Errorf("this user's connection was not the one accepted")
	} else {
		c.Close()
	}
}

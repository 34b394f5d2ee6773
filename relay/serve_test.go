package relay

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func unusedUpstream(t *testing.T) *grpc.ClientConn {
	c, err := grpc.NewClient("passthrough:///nowhere:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func serve(path string, up *grpc.ClientConn, idle time.Duration) chan error {
	done := make(chan error, 1)
	go func() { done <- Serve(path, up, idle) }()
	return done
}

func waitListening(t *testing.T, path string) {
	for range 200 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("nothing listens at %s", path)
}

// One relay per socket; it stops when its socket is removed, so that a
// removed REX_DIR leaves no process behind.
func TestOneRelayPerSocketUntilItIsRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.sock")
	up := unusedUpstream(t)
	first := serve(path, up, time.Hour)
	waitListening(t, path)
	if err := <-serve(path, up, time.Hour); !errors.Is(err, ErrServed) {
		t.Fatalf("a second relay on the socket: %v, want ErrServed", err)
	}
	waitListening(t, path) // the second did not take the socket away
	os.Remove(path)
	select {
	case err := <-first:
		if err != nil {
			t.Fatalf("relay ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the relay outlived its socket")
	}
}

func TestIdleRelayExits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.sock")
	done := serve(path, unusedUpstream(t), time.Millisecond)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an idle relay kept running")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
}

// A parallel build starts one relay, and a relay that cannot serve is not
// started again by every compile.
func TestStartMarkers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.sock")
	if !ShouldStart(path) {
		t.Fatal("no relay ever started, yet ShouldStart says no")
	}
	MarkStarting(path)
	if ShouldStart(path) {
		t.Error("ShouldStart while one is starting")
	}
	done := serve(path, unusedUpstream(t), time.Hour)
	waitListening(t, path)
	if !ShouldStart(path) {
		t.Error("the starting marker outlived the start")
	}
	os.Remove(path)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// A directory in the socket's place: the relay cannot listen.
	blocked := filepath.Join(dir, "blocked.sock")
	os.MkdirAll(filepath.Join(blocked, "x"), 0o755)
	if err := <-serve(blocked, unusedUpstream(t), time.Hour); err == nil {
		t.Fatal("a relay listened where a directory is")
	}
	if ShouldStart(blocked) {
		t.Error("ShouldStart right after a relay failed there")
	}
}

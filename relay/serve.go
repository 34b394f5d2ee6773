package relay

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
)

// Serve relays the calls that reach the unix socket at path to upstream,
// until no call has come for idle or the socket file is removed or
// replaced. Only one relay serves a path: a second finds the lock taken
// and returns ErrServed at once.
func Serve(path string, upstream *grpc.ClientConn, idle time.Duration) error {
	lock, err := takeLock(path + ".lock")
	if err != nil {
		return err
	}
	defer lock.Close()
	ln, st, err := listen(path)
	os.Remove(startingMarker(path))
	if err != nil {
		touch(failedMarker(path))
		return err
	}
	a := &activity{last: time.Now()}
	srv := grpc.NewServer(serverOptions(upstream, a)...)
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if a.idleFor() > idle || !sameFile(path, st) {
				srv.GracefulStop()
				return
			}
		}
	}()
	err = srv.Serve(sameUser{ln})
	os.Remove(path)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// listen listens on the unix socket path, private to this user.
func listen(path string) (*net.UnixListener, os.FileInfo, error) {
	os.Remove(path) // a relay that died left it; the lock says none serves it now
	old := syscall.Umask(0o077)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, nil, fmt.Errorf("relay: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("relay: %w", err)
	}
	return ln.(*net.UnixListener), st, nil
}

// ErrServed says another relay serves the socket.
var ErrServed = errors.New("relay: another relay serves this socket")

func takeLock(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrServed
		}
		return nil, fmt.Errorf("relay: lock: %w", err)
	}
	return f, nil
}

func sameFile(path string, was os.FileInfo) bool {
	st, err := os.Stat(path)
	return err == nil && os.SameFile(st, was)
}

// activity counts the calls in flight and when the last one ended.
type activity struct {
	mu       sync.Mutex
	inFlight int
	last     time.Time
}

func (a *activity) begin() {
	a.mu.Lock()
	a.inFlight++
	a.mu.Unlock()
}

func (a *activity) end() {
	a.mu.Lock()
	a.inFlight--
	a.last = time.Now()
	a.mu.Unlock()
}

func (a *activity) idleFor() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inFlight > 0 {
		return 0
	}
	return time.Since(a.last)
}

// sameUser accepts only connections from this process's own user: the
// relay holds the user's connection, credentials and all.
type sameUser struct{ *net.UnixListener }

func (l sameUser) Accept() (net.Conn, error) {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return nil, err
		}
		if peerUID(c) == os.Getuid() {
			return c, nil
		}
		c.Close()
	}
}

// peerUID is the user of the process at the other end of c, -1 when the
// system does not say.
func peerUID(c *net.UnixConn) int {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1
	}
	uid := -1
	raw.Control(func(fd uintptr) { uid = socketPeerUID(int(fd)) })
	return uid
}

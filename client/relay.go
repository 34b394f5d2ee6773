package client

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	rexendpoint "github.com/rexbuild/rex/endpoint"
	"github.com/rexbuild/rex/relay"
)

// RelayConfig says where the relays of package relay listen and how to
// start one. A process that dials a distant server connects through the
// relay of that endpoint when one answers, and otherwise dials directly
// and asks Start for a relay, which later processes then use.
type RelayConfig struct {
	// Dir holds the relays' sockets.
	Dir string
	// Build names the rex build: a relay of another build is not used.
	// It is asked only for an endpoint that is relayed, so that a compile
	// against a local server pays nothing for it.
	Build func() string
	// Always relays loopback and unix endpoints too, which gain nothing
	// but a hop from it (tests, and a benchmark's emulated link).
	Always bool
	// Start starts a relay for endpoint on socket, in the background.
	Start func(endpoint, socket string)
}

// RelaySocket is where the relay for endpoint listens under cfg, or ""
// when cfg does not relay endpoint (no relay configured, a local server,
// or a path too long for a unix socket).
func RelaySocket(cfg Config, endpoint string) string {
	r := cfg.Relay
	if r == nil || r.Dir == "" || (!r.Always && isLocal(endpoint)) {
		return ""
	}
	return rexendpoint.RelaySocket(r.Dir, r.Build(), endpoint, cfg.TLSServerName,
		[3]string{cfg.TLSCAFile, cfg.TLSCertFile, cfg.TLSKeyFile})
}

// isLocal says whether endpoint is on this machine (endpoint.IsLocal).
func isLocal(endpoint string) bool { return rexendpoint.IsLocal(endpoint) }

// throughRelay returns the options of a connection to addr through its
// relay when one answers. Otherwise it asks for one to be started and
// says no: this process dials directly.
func (cfg Config) throughRelay(addr string) ([]grpc.DialOption, bool) {
	sock := RelaySocket(cfg, addr)
	if sock == "" {
		return nil, false
	}
	first, err := dialRelay(sock)
	if err != nil {
		cfg.Relay.Start(addr, sock)
		return nil, false
	}
	var once sync.Once
	dial := func(ctx context.Context, _ string) (net.Conn, error) {
		var c net.Conn
		once.Do(func() { c, first = first, nil })
		if c != nil {
			return c, nil
		}
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}
	return []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dial),
	}, true
}

// relayAnswers bounds the wait for a relay's first bytes: it sends them as
// it accepts, in microseconds; one that does not is stuck, and the compile
// dials the server itself rather than wait on it.
const relayAnswers = time.Second

// dialRelay connects to the relay at sock and reads the first bytes it
// sends (its HTTP/2 settings, which a gRPC server sends before anything
// else), so that a relay that accepts but does not serve is found now. The
// connection returned gives those bytes to gRPC first.
func dialRelay(sock string) (net.Conn, error) {
	c, err := net.DialTimeout("unix", sock, relayAnswers)
	if err != nil {
		return nil, err
	}
	c.SetReadDeadline(time.Now().Add(relayAnswers))
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetReadDeadline(time.Time{})
	return &peekedConn{Conn: c, peeked: buf[:n]}, nil
}

// peekedConn is a connection whose first bytes were read already.
type peekedConn struct {
	net.Conn
	peeked []byte
}

func (p *peekedConn) Read(b []byte) (int, error) {
	if len(p.peeked) > 0 {
		n := copy(b, p.peeked)
		p.peeked = p.peeked[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// Unreachable says whether err means the server could not be reached at
// all (nothing answers, or its relay cannot reach it), rather than that
// it answered an error: rex then stops trying it for a while.
func (c *Client) Unreachable(err error) bool {
	if status.Code(err) != codes.Unavailable {
		return false
	}
	return c.conn.GetState() == connectivity.TransientFailure ||
		strings.Contains(status.Convert(err).Message(), relay.Unreachable)
}

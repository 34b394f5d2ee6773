// Package endpoint names what rex derives from a server's address and
// settings: whether the server is on this machine, where the relay that
// keeps a connection to it listens, the state files kept about it, and
// the token sent to it. The full client and the rex front end, which
// links no gRPC, derive them alike.
package endpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// IsLocal says whether endpoint is on this machine: a unix socket, or a
// loopback host. A relay would add a hop there and save nothing.
func IsLocal(endpoint string) bool {
	if strings.HasPrefix(endpoint, "unix://") {
		return true
	}
	_, hostport, ok := strings.Cut(endpoint, "://")
	if !ok {
		hostport = endpoint
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// RelaySocket is the socket, under dir, of the relay of the rex build
// named build to endpoint, with the TLS server name and files given (a
// rotated certificate is another connection: another relay); "" when the
// path would not fit a socket address.
func RelaySocket(dir, build, endpoint, tlsServerName string, tlsFiles [3]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "rex relay v1\x00%s\x00%s\x00%s\x00", build, endpoint, tlsServerName)
	for _, f := range tlsFiles {
		fmt.Fprintf(h, "%s %s\x00", f, fileStamp(f))
	}
	path := filepath.Join(dir, hex.EncodeToString(h.Sum(nil))[:16]+".sock")
	if len(path) >= 100 { // sun_path holds 108 bytes on Linux, 104 on macOS and FreeBSD, with its NUL
		return ""
	}
	return path
}

func fileStamp(path string) string {
	if path == "" {
		return ""
	}
	st, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	return fmt.Sprintf("%d %d", st.Size(), st.ModTime().UnixNano())
}

// BuildIdentity names a rex build by its version and its binary's stamp,
// so that a rebuilt rex does not talk to a relay of the old one.
func BuildIdentity(version, exe string) string {
	id := version
	if st, err := os.Stat(exe); err == nil {
		id += fmt.Sprintf(" %s %d %d", exe, st.Size(), st.ModTime().UnixNano())
	}
	return id
}

// UnreachableFor is how long a server found unreachable is not tried
// again: a build that finds it down skips the remote path (and its
// dependency scan) instead of paying for it on every compile.
const UnreachableFor = 10 * time.Second

// StateFile names a file under stateDir about the server a compile talks
// to: one per server address, CAS address and instance, so that a build
// against one server never reads what another's left. "" when there is no
// state directory.
func StateFile(stateDir, prefix, server, casServer, instance string) string {
	if stateDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(server + "\x00" + casServer + "\x00" + instance))
	return filepath.Join(stateDir, prefix+hex.EncodeToString(sum[:])[:16])
}

// UnreachableMarker names the marker a compile leaves when it could not
// connect to the server (see UnreachableFor).
func UnreachableMarker(stateDir, server, casServer, instance string) string {
	return StateFile(stateDir, "server-unreachable-", server, casServer, instance)
}

// RecentlyUnreachable reports whether a compile found the server
// unreachable within UnreachableFor.
func RecentlyUnreachable(marker string) bool {
	if marker == "" {
		return false
	}
	st, err := os.Stat(marker)
	return err == nil && time.Since(st.ModTime()) < UnreachableFor
}

// ReadToken returns the bearer token given directly or, failing that, the
// first line of file, trimmed. Both empty is no token. A file is read once
// per call: callers read it once per process.
func ReadToken(token, file string) (string, error) {
	if token != "" && file != "" {
		return "", fmt.Errorf("a token and a token file are both set: use one")
	}
	if file == "" {
		return strings.TrimSpace(token), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if token = strings.TrimSpace(line); token == "" {
		return "", fmt.Errorf("token file %s: empty first line", file)
	}
	return token, nil
}

// Package endpoint names what rex derives from a server's address: whether
// the server is on this machine, and where the relay that keeps a
// connection to it listens. The full client (package client) and the rex
// front end, which links no gRPC, derive them alike.
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
	if len(path) >= 100 { // sun_path holds 108 bytes with its NUL
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

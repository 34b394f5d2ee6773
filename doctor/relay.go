package doctor

import (
	"net"

	"github.com/rexbuild/rex/client"
)

// relay says how compiles reach the server: through a relay that keeps the
// connection open (see package relay), or each with its own connection.
func (r *report) relay(cfg client.Config) {
	if cfg.Server == "" {
		return
	}
	if cfg.Relay == nil {
		r.add(OK, "relay", "off (REX_RELAY=off): each compile opens its own connection", "")
		return
	}
	sock := client.RelaySocket(cfg, cfg.Server)
	if sock == "" {
		r.add(OK, "relay", "not used: the server is on this machine, a connection costs no round trip worth saving", "")
		return
	}
	if c, err := net.Dial("unix", sock); err == nil {
		c.Close()
		r.add(OK, "relay", "compiles reach the server through the relay at "+sock, "")
		return
	}
	r.add(OK, "relay", "none runs yet; the next compile starts one at "+sock, "")
}

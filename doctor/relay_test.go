package doctor

import (
	"net"
	"strings"
	"testing"

	"github.com/rexbuild/rex/client"
)

func relayFinding(t *testing.T, cfg client.Config) string {
	t.Helper()
	r := &report{}
	r.relay(cfg)
	if len(r.findings) != 1 || r.findings[0].Check != "relay" {
		t.Fatalf("findings %+v, want one about the relay", r.findings)
	}
	return r.findings[0].Says
}

func TestRelayFinding(t *testing.T) {
	relays := &client.RelayConfig{Dir: t.TempDir(), Build: func() string { return "test" }, Start: func(string, string) {}}
	distant := client.Config{Server: "grpcs://remote.example:443", Relay: relays}
	if says := relayFinding(t, distant); !strings.Contains(says, "none runs yet") {
		t.Errorf("no relay running: %q", says)
	}
	ln, err := net.Listen("unix", client.RelaySocket(distant, distant.Server))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if says := relayFinding(t, distant); !strings.Contains(says, "through the relay") {
		t.Errorf("a relay listening: %q", says)
	}
	if says := relayFinding(t, client.Config{Server: "grpc://127.0.0.1:8980", Relay: relays}); !strings.Contains(says, "on this machine") {
		t.Errorf("a loopback server: %q", says)
	}
	if says := relayFinding(t, client.Config{Server: distant.Server}); !strings.Contains(says, "off") {
		t.Errorf("REX_RELAY=off: %q", says)
	}
}

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/endpoint"
)

// The front end finds the relay rex-client uses: the same socket for the
// same server, state directory and rex-client build, and none where
// rex-client would dial directly.
func TestRelaySocketIsRexClients(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "rex-client")
	os.WriteFile(exe, []byte("a build"), 0o755)
	state := filepath.Join(dir, "state")
	build := func() string { return endpoint.BuildIdentity(version, exe) }
	for _, tt := range []struct {
		server, relay string
		want          bool
	}{
		{"grpc://build.example.com:8980", "auto", true},
		{"grpc://127.0.0.1:8980", "auto", false},
		{"grpc://127.0.0.1:8980", "always", true},
		{"grpc://build.example.com:8980", "off", false},
	} {
		cfg := config{server: tt.server, relay: tt.relay, stateDir: state}
		got := relaySocket(cfg, exe)
		var want string
		if tt.relay != "off" {
			want = client.RelaySocket(client.Config{Relay: &client.RelayConfig{Dir: filepath.Join(state, "relay"),
				Build: build, Always: tt.relay == "always"}}, tt.server)
		}
		if got != want || (got != "") != tt.want {
			t.Errorf("%s, relay %s: %q, rex-client's %q", tt.server, tt.relay, got, want)
		}
	}
}

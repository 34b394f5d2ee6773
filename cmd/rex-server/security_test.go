package main

import (
	"io"
	"net"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/auth"
)

func parseConfig(t *testing.T, args ...string) (config, error) {
	t.Helper()
	app := &cli.App{Name: "rex-server", Flags: flags(), Writer: io.Discard, ErrWriter: io.Discard}
	var cfg config
	var err error
	app.Action = func(c *cli.Context) error {
		cfg, err = configFrom(c)
		return nil
	}
	if runErr := app.Run(append([]string{"rex-server", "--dir", "/d"}, args...)); runErr != nil {
		return cfg, runErr
	}
	return cfg, err
}

func TestSecurityFlags(t *testing.T) {
	cfg, err := parseConfig(t, "--tokens", "/t", "--tls-cert", "c", "--tls-key", "k", "--tls-client-ca", "ca",
		"--client-cert-roles", "execute,cache-write")
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.security
	if s.tokensFile != "/t" || s.tlsClientCA != "ca" || s.certRoles != auth.Execute|auth.CacheWrite || !s.required() {
		t.Errorf("security = %+v", s)
	}
	if cfg, _ := parseConfig(t); cfg.security.required() || cfg.security.certRoles != auth.Execute || cfg.shutdownGrace <= 0 {
		t.Errorf("defaults = %+v, grace %v", cfg.security, cfg.shutdownGrace)
	}
	for _, bad := range [][]string{
		{"--tls-cert", "c"},
		{"--tls-client-ca", "ca"},
		{"--tokens", "/t", "--allow-cache-writes"},
		{"--client-cert-roles", "admin"},
	} {
		if _, err := parseConfig(t, bad...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckExposure(t *testing.T) {
	any := &net.TCPAddr{IP: net.IPv4zero, Port: 8980}
	lan := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 8980}
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8980}
	unix := &net.UnixAddr{Name: "/run/rex.sock", Net: "unix"}
	for _, tc := range []struct {
		s    security
		addr net.Addr
		ok   bool
	}{
		{security{}, loop, true},
		{security{}, unix, true},
		{security{}, any, false},
		{security{}, lan, false},
		{security{insecure: true}, any, true},
		{security{tokensFile: "/t"}, any, true},
		{security{tlsClientCA: "ca"}, lan, true},
		{security{allowCacheWrites: true}, any, false},
	} {
		err := checkExposure(tc.s, tc.addr.String(), tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("%+v on %v: %v, want ok=%v", tc.s, tc.addr, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--insecure") {
			t.Errorf("refusal %q does not say what to do", err)
		}
	}
}

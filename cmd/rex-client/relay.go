package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/endpoint"
	"github.com/rexbuild/rex/relay"
)

// relayIdle is how long a relay waits for a call before it exits.
const relayIdle = 5 * time.Minute

// relayConfig is how compiles reach a distant server through a relay (see
// package relay), or nil under --relay off.
func relayConfig(c *cli.Context, state string) (*client.RelayConfig, error) {
	mode := c.String("relay")
	switch mode {
	case "off":
		return nil, nil
	case "auto", "always":
	default:
		return nil, fmt.Errorf("--relay (REX_RELAY) %q: want auto, always or off", mode)
	}
	// Absolute: the relay runs elsewhere and must find the same socket.
	state, err := filepath.Abs(state)
	if err != nil {
		return nil, err
	}
	return &client.RelayConfig{
		Dir:    filepath.Join(state, "relay"),
		Build:  sync.OnceValue(buildIdentity),
		Always: mode == "always",
		Start:  startRelay,
	}, nil
}

// buildIdentity names this rex binary (endpoint.BuildIdentity).
func buildIdentity() string {
	exe, _ := os.Executable()
	return endpoint.BuildIdentity(version, exe)
}

// startRelay starts `rex relay` for endpoint in the background, in its own
// session, with this process's environment and directory (so that it reads
// the same configuration) and no stdio, unless one is starting or failed
// there moments ago. A second one for the same socket finds the first's
// lock and exits.
func startRelay(endpoint, socket string) {
	if !relay.ShouldStart(socket) {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	relay.MarkStarting(socket)
	cmd := exec.Command(exe, "relay", "--endpoint", endpoint, "--socket", socket)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if cmd.Start() == nil {
		cmd.Process.Release()
	}
}

func relayCommand() *cli.Command {
	return &cli.Command{
		Name:   "relay",
		Hidden: true,
		Usage:  "keep the connection to a distant server open for the compiles of this user (started by rex itself)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "endpoint", Required: true},
			&cli.StringFlag{Name: "socket", Required: true},
		},
		Action: runRelay,
	}
}

func runRelay(c *cli.Context) error {
	cfg, err := wrapperConfig(c)
	if err != nil {
		return err
	}
	endpoint, socket := c.String("endpoint"), c.String("socket")
	if client.RelaySocket(cfg.Client, endpoint) != socket {
		return fmt.Errorf("relay: %s is not where this configuration relays %s", socket, endpoint)
	}
	up, err := client.DialUpstream(cfg.Client, endpoint)
	if err != nil {
		return err
	}
	defer up.Close()
	up.Connect()
	// Paths are resolved and the TLS files read: leave the build directory
	// that started the relay, which the user may want to remove or unmount.
	os.Chdir("/")
	if err := relay.Serve(socket, up, relayIdle); err != nil && !errors.Is(err, relay.ErrServed) {
		return err
	}
	return nil
}

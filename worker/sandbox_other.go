//go:build !linux

package worker

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"runtime"
)

func runIsolated(spec execSpec, newCmd func() *exec.Cmd) error {
	return errors.New("sandbox: namespaces need Linux")
}

func namespacesSupported() bool { return false }

// errNoNamespaces says why namespacesSupported is false.
var errNoNamespaces = errors.New("the sandbox is built of Linux namespaces, which " + runtime.GOOS + " has not")

// netnsPool has nothing to keep without Linux namespaces.
type netnsPool struct{}

func newNetnsPool(int) *netnsPool { return &netnsPool{} }

// spawner needs Linux namespaces: without them there is nothing to spawn.
type spawner struct{}

func startSpawner([]string, Options) (*spawner, error) {
	return nil, errors.New("spawner: needs Linux")
}

func (s *spawner) run(context.Context, execSpec, io.Writer, io.Writer) error {
	return errors.New("sandbox: namespaces need Linux")
}

func (s *spawner) close() {}

func (s *spawner) alive() bool { return false }

// RunSpawner fails: there is no sandbox to spawn commands in.
func RunSpawner() error { return errors.New("spawner: needs Linux") }

func closeInheritedOnExec() error { return nil }

//go:build !linux

package worker

import (
	"errors"
	"os/exec"
)

func runIsolated(spec execSpec, newCmd func() *exec.Cmd) error {
	return errors.New("sandbox: namespaces need Linux")
}

func namespacesSupported() bool { return false }

// netnsPool has nothing to keep without Linux namespaces.
type netnsPool struct{}

func newNetnsPool(int) *netnsPool { return &netnsPool{} }

//go:build !linux

package worker

import (
	"errors"
	"os/exec"
)

func runIsolated(newCmd func() *exec.Cmd, writable, hide string) error {
	return errors.New("sandbox: namespaces need Linux")
}

func namespacesSupported() bool { return false }

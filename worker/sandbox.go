package worker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// probeTimeout bounds the start-up check of the sandbox.
const probeTimeout = 10 * time.Second

// chooseSandbox decides, once at start-up, whether commands run isolated:
// it runs a small command in the sandbox and checks it could write its own
// directory. In auto mode a failure falls back to plain process groups.
func chooseSandbox(ctx context.Context, opts Options) (bool, error) {
	if opts.Sandbox == SandboxNone {
		return false, nil
	}
	err := probeSandbox(ctx, opts.Dir)
	if err == nil {
		return true, nil
	}
	if opts.Sandbox == SandboxNamespaces {
		return false, fmt.Errorf("worker: sandbox unavailable: %w", err)
	}
	opts.Logf("worker %s: WARNING: sandbox unavailable, commands run unisolated "+
		"(network and host files reachable): %v", opts.ID, err)
	return false, nil
}

func probeSandbox(ctx context.Context, dir string) error {
	if !namespacesSupported() {
		return errors.New("namespaces need root (CAP_SYS_ADMIN) on Linux")
	}
	probe, err := os.MkdirTemp(filepath.Join(dir, actionsSubdir), sandboxProbeSubdir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(probe)
	res, err := runCommand(ctx, execSpec{
		Args:      []string{"/bin/sh", "-c", "echo ok > probe"},
		Dir:       probe,
		Root:      probe,
		Hide:      filepath.Dir(probe),
		Timeout:   probeTimeout,
		MaxOutput: 4096,
		Isolate:   true,
	})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("probe command exited %d: %s", res.ExitCode, res.Stderr)
	}
	if _, err := os.Stat(filepath.Join(probe, "probe")); err != nil {
		return fmt.Errorf("probe command could not write its directory: %w", err)
	}
	return nil
}

func sandboxName(isolate bool) string {
	if isolate {
		return "namespaces (no network, private /tmp, read-only host)"
	}
	return "none"
}

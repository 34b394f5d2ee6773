package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
)

// probeTimeout bounds the start-up check of the sandbox.
const probeTimeout = 10 * time.Second

// sandboxState is what the worker decided at start-up: the jail actions run
// in, or why there is none. With neither, actions run unisolated, which
// only an explicit --sandbox none asks for.
type sandboxState struct {
	jail        *jail
	unavailable error // auto mode could not build the jail: every action fails
}

// chooseSandbox builds the jail once at start-up and checks it by running
// a small command in it. It never degrades to running actions unisolated:
// in auto mode a jail that does not work makes every action fail (see
// refuse); in namespaces mode it stops the worker.
func chooseSandbox(ctx context.Context, opts Options) (sandboxState, error) {
	if opts.Sandbox == SandboxNone {
		return sandboxState{}, nil
	}
	j, err := newJail(opts)
	if err == nil && opts.Spawner != nil {
		var serr error
		if j.spawner, serr = startSpawner(opts.Spawner, opts); serr != nil {
			opts.Logf("worker %s: commands start from the worker itself: %v", opts.ID, serr)
		}
	}
	if err == nil {
		probe := opts.probe
		if probe == nil {
			probe = func(ctx context.Context, _ Options) error { return probeSandbox(ctx, opts.Dir, j) }
		}
		err = probe(ctx, opts)
	}
	if err == nil {
		j.hermetic = opts.Sandbox == SandboxHermetic
		return sandboxState{jail: j}, nil
	}
	if j != nil && j.spawner != nil {
		j.spawner.close()
	}
	if opts.Sandbox == SandboxNamespaces || opts.Sandbox == SandboxHermetic {
		return sandboxState{}, fmt.Errorf("worker: sandbox unavailable: %w", err)
	}
	opts.Logf("worker %s: ERROR: the sandbox is unavailable, so every action will fail "+
		"(start the worker with --sandbox none to run actions unisolated): %v", opts.ID, err)
	return sandboxState{unavailable: err}, nil
}

// owner is who staged directories belong to: the jail's user, or the
// worker (nil) without a jail.
func (s sandboxState) owner() *owner {
	if s.jail == nil {
		return nil
	}
	return &owner{uid: s.jail.opts.UID, gid: s.jail.opts.GID}
}

// close stops what the sandbox started (its spawner).
func (s sandboxState) close() {
	if s.jail != nil && s.jail.spawner != nil {
		s.jail.spawner.close()
	}
}

// refuse is the error of every action when the jail could not be built.
func (s sandboxState) refuse() error {
	if s.unavailable == nil {
		return nil
	}
	return withCode(codes.FailedPrecondition, fmt.Errorf("the worker's sandbox is unavailable: %w; "+
		"start it with --sandbox none to run actions unisolated", s.unavailable))
}

func (s sandboxState) describe() string {
	switch {
	case s.jail != nil:
		return s.jail.describe()
	case s.unavailable != nil:
		return "unavailable: actions fail"
	}
	return "none: actions run unisolated, as the worker's user, with its view of the host and network"
}

// probeSandbox runs a command in the jail that must write its directory
// and run as the jail's user.
func probeSandbox(ctx context.Context, dir string, j *jail) error {
	if !namespacesSupported() {
		return errNoNamespaces
	}
	probe, err := os.MkdirTemp(filepath.Join(dir, actionsSubdir), sandboxProbeSubdir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(probe)
	if err := chownTree(probe, j.opts.UID, j.opts.GID); err != nil {
		return err
	}
	res, err := runCommand(ctx, execSpec{
		Args:      []string{"/bin/sh", "-c", "id -u > probe"},
		Dir:       probe,
		Root:      probe,
		Hide:      filepath.Dir(probe),
		Timeout:   probeTimeout,
		MaxOutput: 4096,
		Jail:      j,
		UID:       j.opts.UID,
	})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("probe command exited %d: %s", res.ExitCode, res.Stderr)
	}
	b, err := os.ReadFile(filepath.Join(probe, "probe"))
	if err != nil {
		return fmt.Errorf("probe command could not write its directory: %w", err)
	}
	if got := strings.TrimSpace(string(b)); got != strconv.Itoa(j.opts.UID) {
		return fmt.Errorf("probe command ran as uid %s, not %d", got, j.opts.UID)
	}
	return nil
}

package worker

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// isolatedFlags are the namespaces every sandboxed command gets on top of
// the private mount namespace and the network namespace of the thread that
// starts it (no network: a namespace of its own from the jail's pool, with
// only a loopback interface, down; see netnsPool): no shared IPC, its own PID space so that nothing it starts outlives it, its own host
// name, and its own user namespace. The last one maps only the action's
// user, and the worker owns it: that lets the worker set the command's
// limits even without CAP_SYS_RESOURCE (containers drop it), and gives each
// action its own count of processes. Its capabilities there end at the exec
// (the user is not root in it) and never reached the mount namespace, which
// the host's user namespace owns.
const isolatedFlags = syscall.CLONE_NEWIPC | syscall.CLONE_NEWPID |
	syscall.CLONE_NEWUTS | syscall.CLONE_NEWUSER

// runIsolated starts a command made by newCmd in spec's jail and waits for
// it, from a goroutine locked to a thread that first enters a private mount
// namespace and builds the action's root there (see buildRoot). The command
// is chrooted into that root and runs as the jail's unprivileged user. The
// thread is never unlocked, so the Go runtime discards it, and its
// namespace, when the goroutine returns.
func runIsolated(spec execSpec, newCmd func() *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		root, err := enterJail(spec)
		if err != nil {
			errc <- fmt.Errorf("sandbox: %w", err)
			return
		}
		netns, err := spec.Jail.netns.enter()
		if err != nil {
			errc <- fmt.Errorf("sandbox: %w", err)
			return
		}
		// Every process of the command is gone when it has been waited
		// for: its PID namespace died with it.
		defer spec.Jail.netns.put(netns)
		seen := func(p string) string { return inJail(spec.Root, p) }
		if spec.Hermetic {
			seen = func(p string) string { return inHermetic(spec.Root, p) }
		}
		errc <- startAndWait(func() *exec.Cmd {
			cmd := newCmd()
			cmd.Dir = seen(cmd.Dir)
			cmd.Path, cmd.Args[0] = seen(cmd.Path), seen(cmd.Args[0])
			attr := cmd.SysProcAttr
			attr.Cloneflags |= isolatedFlags
			attr.Pdeathsig = syscall.SIGKILL
			attr.Chroot = root
			uid, gid := spec.UID, spec.Jail.opts.GID
			attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
			attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
			// Allowed, so as to drop the worker's supplementary groups.
			attr.GidMappingsEnableSetgroups = true
			attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
			// Stopped at its exec, the command gets its limits before it
			// runs a single instruction (see applyLimits).
			attr.Ptrace = true
			return cmd
		}, func(cmd *exec.Cmd) error { return applyLimits(cmd.Process.Pid, spec.Jail.opts) })
	}()
	return <-errc
}

// enterJail moves the calling thread into a new mount namespace and builds
// the action's root in it. Nothing is mounted before the namespace is
// private, so the host never sees these mounts. No-new-privileges, set on
// this thread, passes to the command: a set-uid program exposed from /usr
// cannot give it root back.
func enterJail(spec execSpec) (string, error) {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return "", fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return "", fmt.Errorf("make mounts private: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return "", fmt.Errorf("no new privileges: %w", err)
	}
	root := spec.Jail.mountDir
	build := buildRoot
	if spec.Hermetic {
		build = buildHermeticRoot
	}
	if err := build(spec.Jail, root, spec.Root, spec.Hide); err != nil {
		return "", err
	}
	return root, nil
}

// applyLimits waits for the command's stop at exec, sets its resource
// limits, and lets it go. Setting them in the worker before the fork would
// bound the worker itself; setting them on a running command would let
// whatever it forked first escape them.
func applyLimits(pid int, o JailOptions) error {
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return fmt.Errorf("sandbox: wait for the command's exec: %w", err)
	}
	if !ws.Stopped() {
		return fmt.Errorf("sandbox: command did not stop at its exec (status %#x)", ws)
	}
	limits := []struct {
		resource int
		value    int64
	}{
		{unix.RLIMIT_AS, o.MemoryBytes},
		{unix.RLIMIT_NPROC, o.Processes},
		{unix.RLIMIT_FSIZE, o.DiskBytes},
		{unix.RLIMIT_CORE, 0},
	}
	for _, l := range limits {
		rl := unix.Rlimit{Cur: uint64(l.value), Max: uint64(l.value)}
		if err := unix.Prlimit(pid, l.resource, &rl, nil); err != nil {
			return fmt.Errorf("sandbox: limit %d: %w", l.resource, err)
		}
	}
	if err := unix.PtraceDetach(pid); err != nil {
		return fmt.Errorf("sandbox: release the command: %w", err)
	}
	return nil
}

// namespacesSupported reports whether this process may create namespaces,
// mount, chroot and change user (it must be root).
func namespacesSupported() bool { return unix.Geteuid() == 0 }

// errNoNamespaces says why namespacesSupported is false.
var errNoNamespaces = errors.New("namespaces, mounts and a change of user need root on Linux")

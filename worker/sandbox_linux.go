package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// isolatedFlags are the namespaces every sandboxed command gets on top of
// the private mount namespace: no network (a fresh network namespace has only
// a loopback interface, down), no shared IPC, its own PID space so that
// nothing it starts outlives it, and its own user namespace, with no uid
// mapping. The last one matters: the command keeps the worker's uid for file
// access (it sees itself as nobody), but its capabilities no longer reach the
// mount namespace, which the host's user namespace owns, so it cannot remount
// anything writable; no mapping also means no write to /proc/PID/uid_map,
// which the read-only /proc would refuse.
const isolatedFlags = syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWPID |
	syscall.CLONE_NEWUTS | syscall.CLONE_NEWUSER

// runIsolated starts a command made by newCmd and waits for it from a
// goroutine locked to a thread that first enters a private mount namespace: there every mount is
// read-only, /tmp and /dev/shm are fresh tmpfs, hide (the directory of all
// actions) looks empty, and only writable (this action's directory) can be
// written. The thread is never unlocked, so the Go runtime
// discards it, and its namespace, when the goroutine returns.
func runIsolated(newCmd func() *exec.Cmd, writable, hide string) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := enterPrivateMounts(writable, hide); err != nil {
			errc <- fmt.Errorf("sandbox: %w", err)
			return
		}
		errc <- startAndWait(func() *exec.Cmd {
			cmd := newCmd()
			attr := cmd.SysProcAttr
			attr.Cloneflags |= isolatedFlags
			attr.Pdeathsig = syscall.SIGKILL
			return cmd
		})
	}()
	return <-errc
}

// enterPrivateMounts moves the calling thread into a new mount namespace and
// arranges it. Nothing is mounted before the namespace is private, so the
// host never sees these mounts.
func enterPrivateMounts(writable, hide string) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	// Keep a writable copy of the action directory aside, before everything
	// becomes read-only and before what holds it is covered.
	tree, err := unix.OpenTree(unix.AT_FDCWD, writable,
		unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return fmt.Errorf("clone %s: %w", writable, err)
	}
	defer unix.Close(tree)
	ro := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, ro); err != nil {
		return fmt.Errorf("make / read-only: %w", err)
	}
	// A private /tmp and /dev/shm; the other actions' directories hidden.
	for _, dir := range []string{"/tmp", "/dev/shm", hide} {
		if err := coverWithTmpfs(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(writable, 0o755); err != nil {
		return fmt.Errorf("mount point %s: %w", writable, err)
	}
	err = unix.MoveMount(tree, "", unix.AT_FDCWD, writable, unix.MOVE_MOUNT_F_EMPTY_PATH)
	if err != nil {
		return fmt.Errorf("mount %s writable: %w", writable, err)
	}
	return nil
}

// coverWithTmpfs mounts an empty tmpfs on dir. A dir that does not exist
// (and cannot be made on the read-only host) has nothing to hide.
func coverWithTmpfs(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.EROFS) {
			return nil
		}
		return fmt.Errorf("cover %s: %w", dir, err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
		return fmt.Errorf("cover %s: %w", dir, err)
	}
	return nil
}

// namespacesSupported reports whether this process may create namespaces
// (it must be root: without CAP_SYS_ADMIN a user namespace would be needed,
// and a threaded Go process cannot enter one).
func namespacesSupported() bool { return os.Geteuid() == 0 }

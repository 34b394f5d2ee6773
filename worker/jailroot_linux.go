package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// The mounts of an action's root: nothing from the host is writable, set-uid
// or a device node except the few devices bound in /dev.
const (
	exposedAttrs = unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV
	tmpfsFlags   = unix.MS_NOSUID | unix.MS_NODEV
)

// devices are the nodes an action's /dev holds, bound from the host's.
var devices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// buildRoot mounts a fresh tmpfs at dir and lays out in it what the action
// sees: the exposed host paths read-only with the secrets masked, a minimal
// /dev, a private /tmp, /proc, and its own directory writable, at
// jailActionDir. The tmpfs itself ends read-only.
func buildRoot(j *jail, dir, actionRoot, hide string) error {
	if err := unix.Mount("tmpfs", dir, "tmpfs", tmpfsFlags, "mode=0755,size=1m"); err != nil {
		return fmt.Errorf("root tmpfs: %w", err)
	}
	for _, e := range j.exposed {
		if err := expose(dir, e); err != nil {
			return err
		}
	}
	for _, m := range j.masks {
		if err := mask(dir + m); err != nil {
			return err
		}
	}
	if hide != "" && j.visible(hide) {
		if err := mountTmpfs(dir+hide, "mode=0755,size=4k", 0); err != nil {
			return fmt.Errorf("hide %s: %w", hide, err)
		}
	}
	if err := buildDev(dir, j.opts.DiskBytes); err != nil {
		return err
	}
	if err := mountTmpfs(dir+"/tmp", "mode=1777,size="+strconv.FormatInt(j.opts.DiskBytes, 10), 0); err != nil {
		return fmt.Errorf("/tmp: %w", err)
	}
	if err := mkdirs(dir + "/proc"); err != nil {
		return err
	}
	// hidepid: the action sees only the processes it may ptrace, its own:
	// not the worker's, nor those of other actions or host daemons of its
	// uid, which live in other user namespaces.
	if err := unix.Mount("proc", dir+"/proc", "proc", tmpfsFlags|unix.MS_NOEXEC, "hidepid=2"); err != nil {
		return fmt.Errorf("/proc: %w", err)
	}
	if err := bind(actionRoot, dir+jailActionDir, true, tmpfsFlags); err != nil {
		return fmt.Errorf("action directory: %w", err)
	}
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|tmpfsFlags, ""); err != nil {
		return fmt.Errorf("make the root read-only: %w", err)
	}
	return nil
}

// expose binds one host path read-only into the root at dir, or recreates
// it when it is a symlink.
func expose(dir string, e exposure) error {
	dst := dir + e.path
	if err := mkdirs(filepath.Dir(dst)); err != nil {
		return err
	}
	if e.link != "" {
		return os.Symlink(e.link, dst)
	}
	if err := bind(e.path, dst, e.dir, 0); err != nil {
		return fmt.Errorf("expose %s: %w", e.path, err)
	}
	if err := unix.MountSetattr(-1, dst, unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: exposedAttrs}); err != nil {
		return fmt.Errorf("expose %s read-only: %w", e.path, err)
	}
	return nil
}

// mask covers a secret: a file by the host's /dev/null (reads as empty), a
// directory by an empty read-only tmpfs.
func mask(p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil // gone since start-up: nothing to mask
	}
	if fi.IsDir() {
		return mountTmpfs(p, "mode=0755,size=4k", unix.MS_RDONLY)
	}
	if err := unix.Mount("/dev/null", p, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	return nil
}

// buildDev makes the root's /dev: a tmpfs holding the harmless devices
// bound from the host, the usual links into /proc, and a private /dev/shm.
func buildDev(dir string, shmBytes int64) error {
	dev := dir + "/dev"
	if err := mountTmpfs(dev, "mode=0755,size=64k", unix.MS_NOSUID|unix.MS_NOEXEC); err != nil {
		return fmt.Errorf("/dev: %w", err)
	}
	for _, name := range devices {
		if _, err := os.Stat("/dev/" + name); err != nil {
			continue
		}
		if err := bind("/dev/"+name, dev+"/"+name, false, unix.MS_NOSUID|unix.MS_NOEXEC); err != nil {
			return fmt.Errorf("/dev/%s: %w", name, err)
		}
	}
	links := map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"}
	for name, target := range links {
		if err := os.Symlink(target, dev+"/"+name); err != nil {
			return err
		}
	}
	if err := mountTmpfs(dev+"/shm", "mode=1777,size="+strconv.FormatInt(shmBytes, 10), 0); err != nil {
		return fmt.Errorf("/dev/shm: %w", err)
	}
	if err := unix.Mount("", dev, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("make /dev read-only: %w", err)
	}
	return nil
}

// bind mounts src (recursively) on dst, creating dst as a directory or an
// empty file, then applies flags (beyond MS_BIND) to the new mount. The file
// is made by mknod, never opened: a descriptor open for writing, even for
// the instant a fork elsewhere in the worker holds a copy of it, would make
// the later remount read-only fail with EBUSY.
func bind(src, dst string, dir bool, flags uintptr) error {
	if dir {
		if err := mkdirs(dst); err != nil {
			return err
		}
	} else if err := unix.Mknod(dst, unix.S_IFREG|0o644, 0); err != nil {
		return fmt.Errorf("mount point %s: %w", dst, err)
	}
	if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	if flags == 0 {
		return nil
	}
	return unix.Mount("", dst, "", unix.MS_REMOUNT|unix.MS_BIND|flags, "")
}

func mountTmpfs(dst, data string, flags uintptr) error {
	if err := mkdirs(dst); err != nil {
		return err
	}
	return unix.Mount("tmpfs", dst, "tmpfs", tmpfsFlags|flags, data)
}

// mkdirs is MkdirAll with modes that do not depend on the worker's umask:
// the action's user must be able to pass through every directory the
// worker makes in the root.
func mkdirs(p string) error {
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := mkdirs(filepath.Dir(p)); err != nil {
		return err
	}
	if err := os.Mkdir(p, 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	return os.Chmod(p, 0o755)
}

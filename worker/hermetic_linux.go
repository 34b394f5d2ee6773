package worker

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// buildHermeticRoot binds the staged input root at dir, writable (the
// action writes its outputs there) but never set-uid nor a device, and
// mounts over its dev, tmp and proc: the three devices bound from the
// host, a private tmpfs, and the action's own /proc (clang reads
// /proc/self/exe). Nothing else of the host is mounted.
func buildHermeticRoot(j *jail, dir, actionRoot, _ string) error {
	for _, name := range hermeticOwn {
		fi, err := os.Lstat(actionRoot + "/" + name)
		if err == nil && !fi.IsDir() {
			return fmt.Errorf("the input root's /%s is not a directory", name)
		}
	}
	if err := bind(actionRoot, dir, true, tmpfsFlags); err != nil {
		return fmt.Errorf("input root: %w", err)
	}
	if err := mountTmpfs(dir+"/dev", "mode=0755,size=4k", unix.MS_NOSUID|unix.MS_NOEXEC); err != nil {
		return fmt.Errorf("/dev: %w", err)
	}
	for _, name := range hermeticDevices {
		if err := bind("/dev/"+name, dir+"/dev/"+name, false, unix.MS_NOSUID|unix.MS_NOEXEC); err != nil {
			return fmt.Errorf("/dev/%s: %w", name, err)
		}
	}
	if err := unix.Mount("", dir+"/dev", "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("make /dev read-only: %w", err)
	}
	if err := mountTmpfs(dir+"/tmp", "mode=1777,size="+strconv.FormatInt(j.opts.DiskBytes, 10), 0); err != nil {
		return fmt.Errorf("/tmp: %w", err)
	}
	if err := mkdirs(dir + "/proc"); err != nil {
		return err
	}
	// hidepid, as in the namespace sandbox: only the action's processes.
	if err := unix.Mount("proc", dir+"/proc", "proc", tmpfsFlags|unix.MS_NOEXEC, "hidepid=2"); err != nil {
		return fmt.Errorf("/proc: %w", err)
	}
	return nil
}

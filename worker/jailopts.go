package worker

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// JailOptions configure the namespace sandbox. Zero fields take the
// defaults noted.
type JailOptions struct {
	// UID and GID are the unprivileged host ids actions run as (default
	// 65534, nobody). Concurrent actions share them but not a user
	// namespace: none of them can see or signal another's processes, and
	// each has its own count for Processes.
	UID, GID int
	// Expose adds host paths the actions see read-only, e.g. a compiler
	// installed in /opt, to the default toolchain paths.
	Expose []string
	// MemoryBytes bounds the address space of each process of an action
	// (RLIMIT_AS; default 4 GiB).
	MemoryBytes int64
	// Processes bounds the processes and threads of an action
	// (RLIMIT_NPROC, counted in the action's own user namespace; default
	// 256).
	Processes int64
	// DiskBytes bounds an action's directory (its inputs and what it
	// writes there), each file it writes (RLIMIT_FSIZE), and its private
	// /tmp (default 4 GiB).
	DiskBytes int64
}

const (
	defaultJailID        = 65534
	defaultJailMemory    = 4 << 30
	defaultJailProcesses = 256
	defaultJailDisk      = 4 << 30
)

// defaultExposed are the toolchain paths every action sees read-only,
// where they exist; /etc comes with its secrets masked.
var defaultExposed = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"}

func (j JailOptions) withDefaults() (JailOptions, error) {
	if j.UID == 0 {
		j.UID = defaultJailID
	}
	if j.GID == 0 {
		j.GID = defaultJailID
	}
	if j.UID < 0 || j.GID < 0 {
		return j, fmt.Errorf("worker: sandbox uid %d / gid %d: must be unprivileged ids above 0", j.UID, j.GID)
	}
	if j.MemoryBytes <= 0 {
		j.MemoryBytes = defaultJailMemory
	}
	if j.Processes <= 0 {
		j.Processes = defaultJailProcesses
	}
	if j.DiskBytes <= 0 {
		j.DiskBytes = defaultJailDisk
	}
	exposed := slices.Clone(defaultExposed)
	for _, p := range j.Expose {
		if !filepath.IsAbs(p) || filepath.Clean(p) == "/" || underJailOwn(filepath.Clean(p)) {
			return j, fmt.Errorf("worker: sandbox expose %q: want an absolute path other than /, "+
				"and not under the jail's own /rex, /tmp, /dev or /proc", p)
		}
		exposed = append(exposed, filepath.Clean(p))
	}
	slices.Sort(exposed) // parents before what they hold
	j.Expose = slices.Compact(exposed)
	return j, nil
}

// underJailOwn reports whether p lies where the jail mounts its own
// directories, which would cover it.
func underJailOwn(p string) bool {
	for _, own := range []string{"/rex", "/tmp", "/dev", "/proc"} {
		if p == own || strings.HasPrefix(p, own+"/") {
			return true
		}
	}
	return false
}

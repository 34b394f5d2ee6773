package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// jail is the namespace sandbox as built at start-up: the host paths every
// action sees, the secrets masked among them, and the limits.
type jail struct {
	opts     JailOptions
	exposed  []exposure
	masks    []string // files and directories covered by something empty
	mountDir string   // where each action's private root is mounted
	// hermetic actions see their input root as "/" and nothing exposed.
	hermetic bool
	netns    *netnsPool
	// spawner starts the commands when there is one; else the worker
	// does (runIsolated).
	spawner *spawner
}

// exposure is one host path an action sees read-only. A symlink (such as
// /bin -> usr/bin on a merged-/usr system) is recreated, not bound.
type exposure struct {
	path string
	link string // the symlink's target, when it is one
	dir  bool
}

// jailActionDir is where an action finds its directory in the jail: one
// path on every worker, which neither names the worker's directory nor
// varies from run to run (the compiler records its working directory in
// debug info).
const jailActionDir = "/rex/action"

// inJail is the path p, a host path that may lie under the action's
// directory root, as the jailed action sees it.
func inJail(root, p string) string { return rebase(root, p, jailActionDir) }

// rebase is the path p, a host path that may lie under root, as seen with
// root at to.
func rebase(root, p, to string) string {
	if p == root {
		return to
	}
	if rest, ok := strings.CutPrefix(p, root+"/"); ok {
		return strings.TrimSuffix(to, "/") + "/" + rest
	}
	return p
}

// jailMountSubdir is the mount point, below the worker's Dir, of each
// action's private root; every action mounts its own root there, in its
// own mount namespace.
const jailMountSubdir = "jail"

// newJail resolves what the sandbox exposes, once: paths that do not exist
// here are left out.
func newJail(opts Options) (*jail, error) {
	if err := closeInheritedOnExec(); err != nil {
		return nil, fmt.Errorf("jail: inherited descriptors: %w", err)
	}
	j := &jail{opts: opts.Jail, mountDir: filepath.Join(opts.Dir, jailMountSubdir), netns: newNetnsPool(opts.Concurrency + 1)}
	if err := os.MkdirAll(j.mountDir, 0o755); err != nil {
		return nil, fmt.Errorf("jail mount point: %w", err)
	}
	for _, p := range j.opts.Expose {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("expose %s: %w", p, err)
		}
		e := exposure{path: p, dir: fi.IsDir()}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if e.link, err = os.Readlink(p); err != nil {
				return nil, fmt.Errorf("expose %s: %w", p, err)
			}
		}
		j.exposed = append(j.exposed, e)
		if p == "/etc" && e.link == "" {
			j.masks = findSecrets(p)
		}
	}
	return j, nil
}

// knownSecrets are masked whatever their mode says.
var knownSecrets = []string{
	"shadow", "shadow-", "gshadow", "gshadow-", "sudoers", "sudoers.d",
	"ssh", "ssl/private", "security/opasswd",
}

// findSecrets lists what to mask under etc: the known secrets, private
// keys by name, and whatever is not world-readable (an action runs as an
// unprivileged user, but a mask does not depend on the file's mode staying
// right).
func findSecrets(etc string) []string {
	var masks []string
	for _, name := range knownSecrets {
		if _, err := os.Lstat(filepath.Join(etc, name)); err == nil {
			masks = append(masks, filepath.Join(etc, name))
		}
	}
	filepath.WalkDir(etc, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == etc || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		for _, m := range masks {
			if p == m {
				return skipIfDir(d)
			}
		}
		if isSecret(p, d) {
			masks = append(masks, p)
			return skipIfDir(d)
		}
		return nil
	})
	return masks
}

func isSecret(p string, d fs.DirEntry) bool {
	name := d.Name()
	if strings.HasSuffix(name, ".key") || strings.HasSuffix(name, "_key") || strings.HasSuffix(name, ".p12") {
		return true
	}
	fi, err := d.Info()
	if err != nil {
		return false
	}
	if d.IsDir() {
		return fi.Mode().Perm()&0o001 == 0
	}
	return fi.Mode().IsRegular() && fi.Mode().Perm()&0o004 == 0
}

func skipIfDir(d fs.DirEntry) error {
	if d.IsDir() {
		return filepath.SkipDir
	}
	return nil
}

// visible reports whether the host path p shows through an exposed
// directory (the worker's Dir under /usr, say), so that it must be covered.
func (j *jail) visible(p string) bool {
	for _, e := range j.exposed {
		if e.dir && e.link == "" && strings.HasPrefix(p, e.path+"/") {
			return true
		}
	}
	return false
}

// describe says what the sandbox isolates, for the start-up log.
func (j *jail) describe() string {
	paths := make([]string, 0, len(j.exposed))
	for _, e := range j.exposed {
		paths = append(paths, e.path)
	}
	o := j.opts
	if j.hermetic {
		return describeHermetic(o)
	}
	return fmt.Sprintf("namespaces: actions run as uid %d gid %d, no network, see only their "+
		"directory, %s read-only (%d secrets masked), a private /tmp, /dev and /proc; limits per "+
		"action: memory %d bytes per process (RLIMIT_AS), %d processes (RLIMIT_NPROC), disk %d bytes",
		o.UID, o.GID, strings.Join(paths, " "), len(j.masks), o.MemoryBytes, o.Processes, o.DiskBytes)
}

package worker

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"google.golang.org/grpc/codes"
)

// owner is the jailed action's user, to whom the worker gives each
// directory and file it stages: the action's directory is its own to
// change, as without a jail. The worker, root, still reads it all.
type owner struct{ uid, gid int }

// give hands p to o; a nil owner (no jail) keeps everything the worker's.
func (o *owner) give(p string) error {
	if o == nil {
		return nil
	}
	if err := os.Lchown(p, o.uid, o.gid); err != nil {
		return fmt.Errorf("hand %s to the action's user: %w", p, err)
	}
	return nil
}

// chownTree gives uid and gid every directory under root, for directories
// made outside staging (the probe's).
func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// checkQuota fails a jailed action that wrote past its disk quota: killed
// by SIGXFSZ for one file too large, or leaving too much in its directory.
// Reaching the quota counts: RLIMIT_FSIZE stops a file there, and the shell
// that ran the writer may well exit 0 or with a code of its own.
func checkQuota(spec execSpec, res execResult) error {
	if spec.Jail == nil {
		return nil
	}
	quota := spec.Jail.opts.DiskBytes
	if res.Signal == syscall.SIGXFSZ {
		return withCode(codes.ResourceExhausted,
			fmt.Errorf("the action wrote a file past its disk quota of %d bytes", quota))
	}
	n, err := treeBytes(spec.Root)
	if err != nil {
		return fmt.Errorf("measure the action directory: %w", err)
	}
	if n >= quota {
		return withCode(codes.ResourceExhausted,
			fmt.Errorf("the action directory holds %d bytes, at or past its disk quota of %d", n, quota))
	}
	return nil
}

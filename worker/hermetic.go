package worker

import (
	"fmt"
	"path/filepath"
	"strings"

	"google.golang.org/grpc/codes"
)

// The hermetic sandbox (--sandbox hermetic) runs an action with its staged
// input root as "/": the action brings everything it runs, its toolchain
// included (rex --hermetic sends the compiler, its libraries and loader and
// the system headers a compile reads in the input root, at their absolute
// paths). Nothing of the host shows but /dev/null, /dev/zero and
// /dev/urandom, and the action gets a private /tmp and /proc. A file the
// action reads that its sender did not put in the root is missing, and the
// action fails loudly instead of reading the worker's copy.

// hermeticOwn are the root's directories the sandbox mounts over: an input
// root may hold them only as plain directories, whose content it hides.
var hermeticOwn = []string{"dev", "tmp", "proc"}

// hermeticDevices are the only device nodes a hermetic action sees.
var hermeticDevices = []string{"null", "zero", "urandom"}

// inHermetic is the host path p, under the action's root, as the hermetic
// action sees it.
func inHermetic(root, p string) string { return rebase(root, p, "/") }

// hermeticProgram resolves argv[0] in the action's root: a path, absolute
// (in the root) or relative to the working directory. A bare name is
// refused: looking it up in PATH would mean following the root's symlinks
// from outside the sandbox, where an absolute one leads to the host.
func hermeticProgram(root string) func(arg0, workDir, searchPath string) (string, error) {
	return func(arg0, workDir, _ string) (string, error) {
		switch {
		case filepath.IsAbs(arg0):
			return filepath.Join(root, arg0), nil
		case strings.Contains(arg0, "/"):
			return filepath.Join(workDir, arg0), nil
		}
		return "", withCode(codes.InvalidArgument,
			fmt.Errorf("program %q: a hermetic action names its program by a path in its input root", arg0))
	}
}

func describeHermetic(o JailOptions) string {
	return fmt.Sprintf("hermetic: actions run as uid %d gid %d, no network, with their input root as / "+
		"(nothing of the host but /dev/%s, a private /tmp and /proc); limits per action: memory %d bytes "+
		"per process (RLIMIT_AS), %d processes (RLIMIT_NPROC), disk %d bytes",
		o.UID, o.GID, strings.Join(hermeticDevices, ", /dev/"), o.MemoryBytes, o.Processes, o.DiskBytes)
}

package worker

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// SpawnerArg, as a binary's only argument, makes it run as a worker's
// spawner (RunSpawner); rex-server and rex-worker look for it first.
const SpawnerArg = "__rex-sandbox-spawner"

// IsSpawnerCall reports whether args (os.Args) ask this binary to run as a
// worker's spawner: its main then runs RunSpawner and nothing else.
func IsSpawnerCall(args []string) bool { return len(args) == 2 && args[1] == SpawnerArg }

// SelfSpawner is the command that runs this binary as the spawner, for
// Options.Spawner; nil when the binary cannot be found.
func SelfSpawner() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return []string{exe, SpawnerArg}
}

// errSpawnerGone: the spawner could not take a command (it died), which
// the worker then starts itself.
var errSpawnerGone = errors.New("the sandbox's spawner is gone")

// spawnExit is a command's non-zero exit or death by a signal, as the
// spawner waited for it.
type spawnExit struct{ status syscall.WaitStatus }

func (e *spawnExit) Error() string {
	return fmt.Sprintf("command ended with status %#x", uint32(e.status))
}

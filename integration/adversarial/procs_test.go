package adversarial

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// proc is a running compiler proper (cc1, cc1plus) as /proc shows it.
type proc struct {
	pid  int
	cwd  string
	args []string
}

// compilers lists the running cc1/cc1plus processes that compile (not the
// -E runs of a dependency scan).
func compilers() []proc {
	var out []proc
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
		if c := strings.TrimSpace(string(comm)); c != "cc1" && c != "cc1plus" {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if contains(args, "-E") {
			continue
		}
		cwd, _ := os.Readlink(filepath.Join(dir, "cwd"))
		out = append(out, proc{pid: pid, cwd: cwd, args: args})
	}
	return out
}

// waitCompiler polls until a compiler that match accepts runs, or done is
// closed (the command that should have started it ended first).
func waitCompiler(match func(proc) bool, done <-chan struct{}) (proc, bool) {
	for {
		for _, p := range compilers() {
			if match(p) {
				return p, true
			}
		}
		select {
		case <-done:
			return proc{}, false
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func alive(pid int) bool {
	_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
	return err == nil
}

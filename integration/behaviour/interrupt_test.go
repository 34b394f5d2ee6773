package behaviour

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/integration/testenv"
)

// slowSrc takes gcc several seconds: a constexpr loop.
const slowSrc = `constexpr unsigned long long spin(unsigned long long n) {
  unsigned long long x = 0;
  for (unsigned long long i = 0; i < n; ++i) x += i ^ (x >> 3);
  return x;
}
constexpr unsigned long long v = spin(1500000ULL);
unsigned long long get() { return v; }
`

var slowFlags = []string{"-fconstexpr-loop-limit=2000000000", "-fconstexpr-ops-limit=100000000000"}

// findCompiler waits for a compiler proper (cc1plus, not a -E scan) whose
// command line holds token and, when remote is set, that runs outside the
// process group pgid (on a worker of the server); it returns its pid and
// kills it when the test ends.
func findCompiler(t *testing.T, token string, remote bool, pgid int) int {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil || !bytes.Contains(b, []byte("cc1plus")) || !bytes.Contains(b, []byte(token)) ||
				bytes.Contains(b, []byte("\x00-E\x00")) {
				continue
			}
			var pid int
			fmt.Sscanf(filepath.Base(filepath.Dir(p)), "%d", &pid)
			if remote && processGroup(pid) == pgid {
				continue
			}
			t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
			return pid
		}
	}
	t.Fatalf("no compiler with %s started", token)
	return 0
}

// processGroup reads the process group of pid from /proc, -1 if unknown.
func processGroup(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// After "pid (comm) ": state, ppid, pgrp.
	var state string
	var ppid, pgrp int
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	if _, err := fmt.Sscan(string(b[i+1:]), &state, &ppid, &pgrp); err != nil {
		return -1
	}
	return pgrp
}

// interrupt starts argv in its own process group, waits until the compiler
// proper runs (here or on a worker), sends sig to the group as a terminal
// does (remote: the compiler must run on a worker), and returns how the command ended and how long that took.
func (tr *tree) interrupt(argv []string, token string, remote bool, sig syscall.Signal) (syscall.WaitStatus, time.Duration) {
	tr.t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = tr.dir, tr.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tr.t.Fatal(err)
	}
	tr.t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	findCompiler(tr.t, token, remote, cmd.Process.Pid)
	start := time.Now()
	syscall.Kill(-cmd.Process.Pid, sig)
	cmd.Wait()
	if s := stderr.String(); s != "" {
		tr.t.Logf("%s: stderr %q", argv[0], s)
	}
	return cmd.ProcessState.Sys().(syscall.WaitStatus), time.Since(start)
}

// TestInterruptWhileRemote: SIGINT or SIGTERM to a rex waiting on a slow
// remote execution ends it at once, by that signal as it ends g++, with no
// object, no temporary file and no local compile.
func TestInterruptWhileRemote(t *testing.T) {
	requireCompiler(t, "g++")
	srv := testenv.StartServer(t, "", "--workers", "1")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			// A macro that names the run tells its compiler process apart.
			tag := func(who string) string { return fmt.Sprintf("REX_SLOW_%s_%d_%d", who, sig, time.Now().UnixNano()) }
			compile := append([]string{"g++", "", "-c", "slow.cpp", "-o", "slow.o"}, slowFlags...)
			plain := newTree(t, srv.Addr, map[string]string{"slow.cpp": slowSrc})
			plainTag := tag("PLAIN")
			compile[1] = "-D" + plainTag
			want, _ := plain.interrupt(compile, plainTag, false, sig)
			viaRex := newTree(t, srv.Addr, map[string]string{"slow.cpp": slowSrc})
			rexTag := tag("REX")
			compile[1] = "-D" + rexTag
			got, took := viaRex.interrupt(append([]string{testenv.Bin(t, "rex")}, compile...), rexTag, true, sig)
			t.Logf("rex ended %v after the signal", took)
			if got.Signaled() != want.Signaled() || got.Signal() != want.Signal() || got.ExitStatus() != want.ExitStatus() {
				t.Errorf("rex ended with %v (signaled %v, exit %d), g++ with %v (signaled %v, exit %d)",
					got.Signal(), got.Signaled(), got.ExitStatus(), want.Signal(), want.Signaled(), want.ExitStatus())
			}
			if took > 2*time.Second {
				t.Errorf("rex took %v to stop", took)
			}
			if diff := cmp.Diff([]string{"slow.cpp"}, viaRex.files()); diff != "" {
				t.Errorf("rex left files (-want +got):\n%s", diff)
			}
			if s := viaRex.stats(); s.LocalFallbacks != 0 || s.LocalRuns != 0 {
				t.Errorf("stats %+v: a local compile ran", s)
			}
		})
	}
}

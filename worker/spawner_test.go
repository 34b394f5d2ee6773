package worker

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestMain lets this test binary serve as the sandbox's spawner, as
// rex-server and rex-worker do (see requireSandbox).
func TestMain(m *testing.M) {
	if IsSpawnerCall(os.Args) {
		if err := RunSpawner(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testSpawner is the command that runs this test binary as a spawner.
func testSpawner(t testing.TB) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{exe, SpawnerArg}
}

// A command goes through the spawner, and once the spawner is gone the
// worker starts its commands itself: the sandbox never stops working.
func TestCommandsOutliveTheSpawner(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	run := func() execResult {
		t.Helper()
		dir := t.TempDir()
		spec := jailed(t, execSpec{Args: []string{"/bin/sh", "-c", "id -u; echo e >&2; exit 3"}, Dir: dir, Root: dir,
			Timeout: time.Minute, MaxOutput: 1 << 20}, j)
		res, err := runCommand(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	want := fmt.Sprintf("%d\n", j.opts.UID)
	if res := run(); res.ExitCode != 3 || string(res.Stdout) != want || string(res.Stderr) != "e\n" {
		t.Errorf("through the spawner: exit %d, stdout %q, stderr %q", res.ExitCode, res.Stdout, res.Stderr)
	}
	if err := j.spawner.proc.Kill(); err != nil {
		t.Fatal(err)
	}
	for syscall.Kill(j.spawner.proc.Pid, 0) == nil { // until reaped, and its socket closed
		time.Sleep(time.Millisecond)
	}
	if res := run(); res.ExitCode != 3 || string(res.Stdout) != want || string(res.Stderr) != "e\n" {
		t.Errorf("after the spawner died: exit %d, stdout %q, stderr %q", res.ExitCode, res.Stdout, res.Stderr)
	}
	if j.spawner.alive() {
		t.Error("the worker still counts on a dead spawner")
	}
}

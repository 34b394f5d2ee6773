package worker

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

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

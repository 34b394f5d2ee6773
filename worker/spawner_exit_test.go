package worker

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// running reports whether a process (not a zombie) has argv exactly args.
func running(args ...string) bool {
	want := append(bytes.Join(toBytes(args), []byte{0}), 0)
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range cmdlines {
		if b, err := os.ReadFile(p); err == nil && bytes.Equal(b, want) {
			return true
		}
	}
	return false
}

// waitRunning waits until args run, or fails when done reports first.
func waitRunning(done <-chan error, args ...string) error {
	for !running(args...) {
		select {
		case err := <-done:
			return fmt.Errorf("the command ended before %q ran: %v", args, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func toBytes(ss []string) [][]byte {
	bs := make([][]byte, len(ss))
	for i, s := range ss {
		bs[i] = []byte(s)
	}
	return bs
}

// A jailed command dies with the worker that asked for it: when the
// worker's end of the spawner's socket closes (the worker exited or was
// killed), the spawner exits and takes its commands with it, even one
// whose own socket to the worker stays open.
func TestJailedCommandsDieWithTheWorker(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	if !j.spawner.alive() {
		t.Fatal("no spawner")
	}
	dir := t.TempDir()
	sleep := fmt.Sprintf("600.%d", os.Getpid())
	spec := jailed(t, execSpec{Args: []string{"/bin/sh", "-c", "echo > started; exec sleep " + sleep},
		Dir: dir, Root: dir, Timeout: time.Hour, MaxOutput: 1 << 20}, j)
	done := make(chan error, 1)
	go func() {
		_, err := runCommand(context.Background(), spec)
		done <- err
	}()
	if err := waitRunning(done, "sleep", sleep); err != nil {
		t.Fatal(err)
	}
	j.spawner.close()
	if err := <-done; err == nil {
		t.Error("the command's run reported success though its spawner went away")
	}
	for running("sleep", sleep) {
		time.Sleep(10 * time.Millisecond) // the test's own timeout bounds this
	}
	if _, err := os.Stat(filepath.Join(dir, "started")); err != nil {
		t.Errorf("the command did not run: %v", err)
	}
}

// A jailed command's timeout, and its action's cancellation, kill all it
// started, even a process that left its process group and holds its
// output open: none is left running once the command is reported done.
func TestJailedCommandsDieAtTimeoutAndCancellation(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	for i, cancelled := range []bool{false, true} {
		dir := t.TempDir()
		sleep := fmt.Sprintf("70%d.%d", i, os.Getpid())
		spec := jailed(t, execSpec{Args: []string{"/bin/sh", "-c",
			"setsid sleep " + sleep + " & echo > started; exec sleep " + sleep},
			Dir: dir, Root: dir, Timeout: time.Hour, MaxOutput: 1 << 20}, j)
		ctx, cancel := context.WithCancel(context.Background())
		if !cancelled {
			spec.Timeout = time.Second
		}
		done := make(chan error, 1)
		go func() {
			res, err := runCommand(ctx, spec)
			if err == nil && !res.TimedOut {
				err = fmt.Errorf("not timed out: exit %d", res.ExitCode)
			}
			done <- err
		}()
		if cancelled {
			if err := waitRunning(done, "sleep", sleep); err != nil {
				t.Fatal(err)
			}
			cancel()
		}
		err := <-done
		cancel()
		if cancelled != (err != nil) {
			t.Errorf("cancelled %v: runCommand returned %v", cancelled, err)
		}
		if running("sleep", sleep) {
			t.Errorf("cancelled %v: a process of the command outlived it", cancelled)
		}
		if _, err := os.Stat(filepath.Join(dir, "started")); err != nil {
			t.Errorf("cancelled %v: the command did not run: %v", cancelled, err)
		}
	}
}

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
	for !running("sleep", sleep) {
		select {
		case err := <-done:
			t.Fatalf("the command ended before it slept: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
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

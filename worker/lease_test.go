package worker

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/workerpb"
)

func TestLostLeaseKillsCommandAndReportsNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		beat func(*workerpb.HeartbeatRequest) (*workerpb.HeartbeatResponse, error)
	}{
		{"not-found", func(*workerpb.HeartbeatRequest) (*workerpb.HeartbeatResponse, error) {
			return nil, statusNotFound()
		}},
		{"cancel", func(*workerpb.HeartbeatRequest) (*workerpb.HeartbeatResponse, error) {
			return &workerpb.HeartbeatResponse{Cancel: true}, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Options{Sandbox: SandboxNone})
			e.fake.mu.Lock()
			e.fake.beat = tc.beat
			e.fake.mu.Unlock()
			pidFile := filepath.Join(t.TempDir(), "pid")
			ad := e.upload(t, shCommand("echo $$ > "+pidFile+"; exec sleep 100"), nil)
			e.lease(t, ad, time.Minute, 100*time.Millisecond)
			pid := waitPid(t, pidFile)
			waitDead(t, pid)
			select {
			case c := <-e.fake.completes:
				t.Fatalf("lost lease reported: %v", c)
			case <-time.After(500 * time.Millisecond):
			}
			assertActionDirsRemoved(t, e)
		})
	}
}

func waitPid(t *testing.T, path string) int {
	t.Helper()
	for range 500 {
		b, _ := os.ReadFile(path)
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("command did not start")
	return 0
}

// TestConcurrentStagedExecutables stages an executable in each of several
// actions run at once and runs it by a relative argv[0]: writing one while
// another action forks is where ETXTBSY (golang/go#22315) strikes.
func TestConcurrentStagedExecutables(t *testing.T) {
	e := newEnv(t, Options{Concurrency: 4})
	const n = 12
	var ads []digest.Digest
	for i := range n {
		tool := []byte("#!/bin/sh\necho tool " + strconv.Itoa(i) + "\n")
		cmd := &repb.Command{Arguments: []string{"./bin/tool"}, WorkingDirectory: "w"}
		ads = append(ads, e.upload(t, cmd, []client.Input{{Path: "w/bin/tool", Data: tool, Executable: true}}))
	}
	go func() {
		for _, ad := range ads {
			e.fake.leases <- &workerpb.LeaseResponse{LeaseId: ad.Hash[:8], DigestFunction: e.fn.Name(),
				ActionDigest: &workerpb.Digest{Hash: ad.Hash, SizeBytes: ad.Size}}
		}
	}()
	seen := map[string]bool{}
	for range n {
		var c *workerpb.CompleteRequest
		select {
		case c = <-e.fake.completes:
		case <-time.After(30 * time.Second):
			t.Fatal("missing Complete")
		}
		ar := e.result(t, c)
		seen[string(e.read(t, ar.GetStdoutDigest()))] = true
		if ar.GetExitCode() != 0 {
			t.Errorf("exit %d: %s", ar.GetExitCode(), e.read(t, ar.GetStderrDigest()))
		}
	}
	if len(seen) != n {
		t.Errorf("got %d distinct outputs, want %d", len(seen), n)
	}
}

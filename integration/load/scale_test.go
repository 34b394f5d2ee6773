package load

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// startWorkers runs n standalone rex-worker processes of one slot each
// against s. They run actions unisolated (--sandbox none): the actions of
// these tests append to a file of the test's, which is how the test counts
// runs, and the jail would forbid it.
func startWorkers(t testing.TB, s *testenv.Server, n int) {
	t.Helper()
	for i := range n {
		cmd := exec.Command(testenv.Bin(t, "rex-worker"), "--server", s.Addr, "--dir", t.TempDir(),
			"--id", fmt.Sprintf("w%d", i), "--sandbox", "none")
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
			if t.Failed() {
				t.Logf("worker %d:\n%s", i, log.String())
			}
		})
	}
}

// uploadActions stores n actions, each appending its number (after
// prefix) to runLog and printing it, and returns their digests.
func uploadActions(t testing.TB, c *client.Client, prefix string, n int, runLog string) []digest.Digest {
	t.Helper()
	var blobs []client.Blob
	ads := make([]digest.Digest, n)
	root, rootBlobs, err := client.BuildTree(digest.SHA256, []client.Input{{Path: "wd", IsDir: true}})
	if err != nil {
		t.Fatal(err)
	}
	blobs = append(blobs, rootBlobs...)
	for i := range n {
		cmd := &repb.Command{Arguments: []string{"/bin/sh", "-c", fmt.Sprintf("echo %s%d >> %s; echo %s%d", prefix, i, runLog, prefix, i)},
			EnvironmentVariables: []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: "/usr/bin:/bin"}}}
		cd, cb, err := digest.SHA256.FromMessage(cmd)
		if err != nil {
			t.Fatal(err)
		}
		ad, ab, err := digest.SHA256.FromMessage(&repb.Action{CommandDigest: cd.Proto(), InputRootDigest: root.Proto()})
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, client.Blob{Digest: cd, Data: cb}, client.Blob{Digest: ad, Data: ab})
		ads[i] = ad
	}
	if err := c.Upload(context.Background(), blobs); err != nil {
		t.Fatal(err)
	}
	return ads
}

const (
	queuedActions     = 2000
	standaloneWorkers = 16
)

// 2,000 actions queued at once across 16 standalone workers of one slot:
// each runs exactly once and each Execute gets its own result. rex-server's
// CPU over the run is logged per action.
func TestScheduler2000ActionsOn16Workers(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test: 2,000 actions, 16 worker processes")
	}
	// A client queues every action at once: more calls in flight than the
	// default per-client bound, which this test is not about.
	s := testenv.StartServer(t, "", "--workers", "0", "--max-calls-per-client", strconv.Itoa(2*queuedActions))
	c, err := client.Dial(context.Background(), client.Config{Server: s.Addr, ExecuteTimeout: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	runLog := filepath.Join(t.TempDir(), "runs")
	startWorkers(t, s, standaloneWorkers)
	waitForWorkers(t, c, filepath.Join(t.TempDir(), "warm-up"))
	ads := uploadActions(t, c, "", queuedActions, runLog)
	cpu0 := cpuSeconds(t, s.PID())
	outs := make([]string, queuedActions)
	errs := make([]error, queuedActions)
	var wg sync.WaitGroup
	for i, ad := range ads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = executeStdout(c, ad)
		}()
	}
	wg.Wait()
	t.Logf("rex-server CPU: %.2f ms per action", 1000*(cpuSeconds(t, s.PID())-cpu0)/queuedActions)
	for i := range ads {
		if errs[i] != nil || outs[i] != strconv.Itoa(i)+"\n" {
			t.Fatalf("action %d: stdout %q, %v", i, outs[i], errs[i])
		}
	}
	runs, err := os.ReadFile(runLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(runs))
	sort.Slice(lines, func(a, b int) bool { return atoi(lines[a]) < atoi(lines[b]) })
	if len(lines) != queuedActions {
		t.Errorf("%d runs for %d actions", len(lines), queuedActions)
	}
	for i, l := range lines {
		if l != strconv.Itoa(i) {
			t.Fatalf("run %d of the sorted log is action %s: an action ran twice or never", i, l)
		}
	}
}

// waitForWorkers runs one action until a worker has connected to run it
// (until then the server refuses actions no worker could run).
func waitForWorkers(t testing.TB, c *client.Client, runLog string) {
	t.Helper()
	ad := uploadActions(t, c, "warm-up", 1, runLog)[0]
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := executeStdout(c, ad)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no worker connected: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func executeStdout(c *client.Client, ad digest.Digest) (string, error) {
	ctx := context.Background()
	resp, err := c.Execute(ctx, ad, client.ExecuteOptions{})
	if err != nil {
		return "", err
	}
	out, err := c.Stdout(ctx, resp.GetResult())
	return string(out), err
}

// cpuSeconds is the user and system CPU a process used so far, from
// /proc/PID/stat (in clock ticks of 1/100 s, as on every Linux this runs).
func cpuSeconds(t *testing.T, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest) // f[0] is field 3, state
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return float64(utime+stime) / 100
}

// Package faults breaks a running rex-server deployment the way real ones
// break (a worker killed mid-action, a platform no worker offers) and checks
// that nothing is lost and no build fails.
package faults

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

func startWorker(t *testing.T, server string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(testenv.Bin(t, "rex-worker"), "--server", server, "--dir", t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	return cmd
}

// slowAction uploads an action that takes a few seconds and writes an
// output derived from its input.
func slowAction(t *testing.T, ctx context.Context, c *client.Client) digest.Digest {
	t.Helper()
	fn := digest.SHA256
	root, blobs, err := client.BuildTree(fn, []client.Input{{Path: "in.txt", Data: []byte("payload")}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := &repb.Command{
		Arguments:   []string{"/bin/sh", "-c", "sleep 3; echo done-$(cat in.txt) > out.txt"},
		OutputPaths: []string{"out.txt"},
	}
	cd, cb, _ := fn.FromMessage(cmd)
	action := &repb.Action{CommandDigest: cd.Proto(), InputRootDigest: root.Proto()}
	ad, ab, _ := fn.FromMessage(action)
	blobs = append(blobs, client.Blob{Digest: cd, Data: cb}, client.Blob{Digest: ad, Data: ab})
	if err := c.Upload(ctx, blobs); err != nil {
		t.Fatal(err)
	}
	return ad
}

func TestWorkerKilledMidActionRunsElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "0")
	first := startWorker(t, srv.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Server: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	action := slowAction(t, ctx, c)

	type outcome struct {
		resp *repb.ExecuteResponse
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		resp, err := c.Execute(ctx, action, client.ExecuteOptions{})
		done <- outcome{resp, err}
	}()
	time.Sleep(1500 * time.Millisecond) // the only worker has leased it and is running it
	syscall.Kill(-first.Process.Pid, syscall.SIGKILL)
	startWorker(t, srv.Addr)

	o := <-done
	if o.err != nil {
		t.Fatalf("Execute after the worker died: %v\nserver log:\n%s", o.err, srv.Log())
	}
	r := o.resp.GetResult()
	if r.GetExitCode() != 0 || len(r.GetOutputFiles()) != 1 {
		t.Fatalf("result: %v", r)
	}
	d, _ := digest.FromProto(r.OutputFiles[0].Digest)
	data, err := c.ReadBlob(ctx, d)
	if err != nil || string(data) != "done-payload\n" {
		t.Fatalf("out.txt = %q, %v", data, err)
	}
}

func TestPlatformNoWorkerOffersFallsBackFast(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "1")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.c"), []byte("int a(void) { return 1; }\n"), 0o644)
	state := t.TempDir()
	env := append(os.Environ(), "REX_SERVER="+srv.Addr, "REX_DIR="+state, "REX_REMOTE_PLATFORM_OSFamily=plan9")
	time.Sleep(500 * time.Millisecond) // the embedded worker has said hello
	cmd := exec.Command(testenv.Bin(t, "rex"), "gcc", "-c", "a.c", "-o", "a.o")
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("rex: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.o")); err != nil {
		t.Fatal("no object after the fallback")
	}
	if len(out) != 0 {
		t.Errorf("a fallback must not speak on a stderr that is not a terminal (configure reads it): %q", out)
	}
	statsCmd := exec.Command(testenv.Bin(t, "rex"), "stats", "--json")
	statsCmd.Env = env
	stats, _ := statsCmd.Output()
	var c struct {
		LocalFallbacks int    `json:"local_fallbacks"`
		LastFallback   string `json:"last_fallback"`
	}
	json.Unmarshal(stats, &c)
	if c.LocalFallbacks != 1 || !strings.Contains(c.LastFallback, "OSFamily") {
		t.Errorf("stats %s, want one local fallback that names the property no worker offers", stats)
	}
	t.Logf("fell back in %v: %s", elapsed, out)
	if elapsed > 20*time.Second {
		t.Errorf("a platform no worker offers took %v to fail; it must not hang", elapsed)
	}
}

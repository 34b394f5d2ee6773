// Package sandbox checks, against the built rex-server and rex-worker, what
// an action run by a worker can and cannot reach: host files, other
// directories, its limits; that a worker whose sandbox cannot be built
// refuses actions; and that real compiles still give the local object.
package sandbox

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// requireRoot skips where the sandbox cannot be built at all.
func requireRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	if os.Geteuid() != 0 {
		t.Skip("the sandbox needs root")
	}
}

// output is what an action printed.
type output struct{ stdout, stderr string }

// run uploads inputs and a Command and executes it on server (within a
// minute), returning the response, the error of Execute, and the output.
func run(t *testing.T, server string, cmd *repb.Command, inputs []client.Input) (*repb.ExecuteResponse, error, output) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Server: server})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fn := digest.SHA256
	root, blobs, err := client.BuildTree(fn, inputs)
	if err != nil {
		t.Fatal(err)
	}
	cd, cb, _ := fn.FromMessage(cmd)
	ad, ab, _ := fn.FromMessage(&repb.Action{CommandDigest: cd.Proto(), InputRootDigest: root.Proto(),
		DoNotCache: true, Timeout: durationpb.New(time.Minute)})
	blobs = append(blobs, client.Blob{Digest: cd, Data: cb}, client.Blob{Digest: ad, Data: ab})
	if err := c.Upload(ctx, blobs); err != nil {
		t.Fatal(err)
	}
	resp, execErr := c.Execute(ctx, ad, client.ExecuteOptions{SkipCacheLookup: true})
	var out output
	if r := resp.GetResult(); r != nil {
		out = output{string(read(t, ctx, c, r.GetStdoutDigest())), string(read(t, ctx, c, r.GetStderrDigest()))}
	}
	return resp, execErr, out
}

func read(t *testing.T, ctx context.Context, c *client.Client, p *repb.Digest) []byte {
	t.Helper()
	d, err := digest.FromProto(p)
	if err != nil || d.Size == 0 {
		return nil
	}
	b, err := c.ReadBlob(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sh(script string, outputs ...string) *repb.Command {
	return &repb.Command{Arguments: []string{"/bin/sh", "-c", script}, OutputPaths: outputs,
		EnvironmentVariables: []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: "/usr/bin:/bin"}}}
}

// startWorker runs bin/rex-worker against server with extra flags.
func startWorker(t *testing.T, server string, extra ...string) *strings.Builder {
	t.Helper()
	log := &strings.Builder{}
	args := append([]string{"--server", server, "--dir", t.TempDir()}, extra...)
	cmd := exec.Command(testenv.Bin(t, "rex-worker"), args...)
	cmd.Stdout, cmd.Stderr = io.Discard, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	return log
}

func TestActionSeesNoHostSecrets(t *testing.T) {
	requireRoot(t)
	// The store outside /tmp, so that the private /tmp is not what hides it.
	store, err := os.MkdirTemp("/var/tmp", "rex-sandbox-store-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(store) })
	os.WriteFile(filepath.Join(store, "planted"), []byte("store"), 0o644)
	hostTmp := filepath.Join(t.TempDir(), "planted")
	os.WriteFile(hostTmp, []byte("tmp"), 0o644)
	srv := testenv.StartServer(t, store, "--workers", "1")

	var script strings.Builder
	script.WriteString("id -u; wc -c < /etc/shadow; ")
	for _, p := range []string{"/root", "/home", "/opt", "/srv", "/var", hostTmp, store + "/planted", store} {
		fmt.Fprintf(&script, "if cat %[1]s 2>/dev/null || ls -A %[1]s 2>/dev/null | grep -q .; then echo LEAK %[1]s; fi; ", p)
	}
	for _, p := range []string{"/usr/rex-escape", "/etc/rex-escape", "/rex-escape", filepath.Dir(hostTmp) + "/escape"} {
		fmt.Fprintf(&script, "if touch %[1]s 2>/dev/null; then echo WROTE %[1]s; fi; ", p)
	}
	script.WriteString("echo mine > out")
	resp, err, out := run(t, srv.Addr, sh(script.String(), "out"), nil)
	stdout := out.stdout
	if err != nil {
		t.Fatalf("Execute: %v\nserver log:\n%s", err, srv.Log())
	}
	lines := strings.Split(stdout, "\n")
	if len(lines) < 2 || lines[0] != "65534" || strings.TrimSpace(lines[1]) != "0" {
		t.Errorf("want uid 65534 and an empty /etc/shadow, got %q", stdout)
	}
	if strings.Contains(stdout, "LEAK") || strings.Contains(stdout, "WROTE") {
		t.Errorf("the action reached the host:\n%s", stdout)
	}
	if len(resp.GetResult().GetOutputFiles()) != 1 {
		t.Errorf("the action could not write its own directory: %v", resp.GetResult())
	}
	if !strings.Contains(srv.Log(), "sandbox namespaces: actions run as uid 65534") {
		t.Errorf("the server's log does not say which sandbox is in force:\n%s", srv.Log())
	}
}

func TestLimitsFailActionsAndWorkerLivesOn(t *testing.T) {
	requireRoot(t)
	srv := testenv.StartServer(t, "", "--workers", "0")
	startWorker(t, srv.Addr, "--sandbox-memory", "256MiB", "--sandbox-processes", "32", "--sandbox-disk", "1MiB")
	// The fork bomb ends (its shell, pid 1 of the action, exits once its
	// children are refused, taking the rest along) within the timeout. Its
	// complaints ("Cannot fork") may or may not reach stderr before the
	// namespace is torn down, so only the ending is asserted; the worker's
	// health is checked at the end.
	_, err, out := run(t, srv.Addr, sh("b() { b | b & }; b; wait"), nil)
	if err != nil {
		t.Errorf("fork bomb: %v, stderr %.200q; want it to end as a result", err, out.stderr)
	}
	resp, err, out := run(t, srv.Addr, sh(`x=$(head -c 400000000 /dev/zero | tr '\0' a); echo ${#x}`), nil)
	if err != nil || resp.GetResult().GetExitCode() == 0 {
		t.Errorf("400 MB in a shell variable under a 256 MiB limit: %v, exit %d, stdout %q",
			err, resp.GetResult().GetExitCode(), out.stdout)
	}
	_, err, _ = run(t, srv.Addr, sh("head -c 3000000 /dev/zero > big", "big"), nil)
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "disk quota") {
		t.Errorf("past the disk quota: %v, want RESOURCE_EXHAUSTED naming the quota", err)
	}
	if _, err, out := run(t, srv.Addr, sh("id -u"), nil); err != nil || out.stdout != "65534\n" {
		t.Errorf("after the limits: %v %q", err, out.stdout)
	}
}

func TestCompileIostreamMatchesLocal(t *testing.T) {
	requireRoot(t)
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("no g++")
	}
	src := "#include <iostream>\nint main() { std::cout << \"hello\\n\"; }\n"
	local := t.TempDir()
	os.WriteFile(filepath.Join(local, "hello.cc"), []byte(src), 0o644)
	args := []string{gxx, "-O2", "-c", "hello.cc", "-o", "hello.o"}
	cc := exec.Command(args[0], args[1:]...)
	cc.Dir = local
	if out, err := cc.CombinedOutput(); err != nil {
		t.Fatalf("local compile: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(filepath.Join(local, "hello.o"))

	srv := testenv.StartServer(t, "", "--workers", "1")
	cmd := &repb.Command{Arguments: args, OutputPaths: []string{"hello.o"}}
	resp, err, _ := run(t, srv.Addr, cmd, []client.Input{{Path: "hello.cc", Data: []byte(src)}})
	if err != nil || resp.GetResult().GetExitCode() != 0 || len(resp.GetResult().GetOutputFiles()) != 1 {
		t.Fatalf("remote compile: %v %v\n%s", err, resp.GetResult(), srv.Log())
	}
	ctx := context.Background()
	c, _ := client.Dial(ctx, client.Config{Server: srv.Addr})
	defer c.Close()
	if got := read(t, ctx, c, resp.GetResult().GetOutputFiles()[0].GetDigest()); string(got) != string(want) {
		t.Errorf("the sandboxed object differs from the local one (%d vs %d bytes)", len(got), len(want))
	}
}

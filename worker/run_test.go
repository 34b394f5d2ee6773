package worker

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func plainSpec(t *testing.T, script string) execSpec {
	dir := t.TempDir()
	return execSpec{
		Args: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=/usr/bin:/bin"},
		Dir: dir, Root: dir, Timeout: 10 * time.Second, MaxOutput: 1 << 20,
	}
}

func TestRunCommandReportsExitAndStreams(t *testing.T) {
	res, err := runCommand(context.Background(), plainSpec(t, "echo hi; echo err >&2; exit 3"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || string(res.Stdout) != "hi\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("got exit %d stdout %q stderr %q", res.ExitCode, res.Stdout, res.Stderr)
	}
}

func TestRunCommandTimeoutKillsProcessGroup(t *testing.T) {
	spec := plainSpec(t, "sleep 100 & echo $! > bg; sleep 100")
	spec.Timeout = 300 * time.Millisecond
	start := time.Now()
	res, err := runCommand(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || time.Since(start) > 5*time.Second {
		t.Fatalf("timed out %v after %v", res.TimedOut, time.Since(start))
	}
	b, err := os.ReadFile(filepath.Join(spec.Dir, "bg"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	waitDead(t, pid)
}

// waitDead fails unless pid is gone or a zombie within a second.
func waitDead(t *testing.T, pid int) {
	t.Helper()
	for range 100 {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("background child %d survived the timeout", pid)
}

func TestRunCommandCancelKills(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if _, err := runCommand(ctx, plainSpec(t, "sleep 100")); err == nil {
		t.Fatal("cancelled command reported a result")
	}
}

func TestRunCommandFlagsOversizedOutput(t *testing.T) {
	spec := plainSpec(t, "head -c 3000 /dev/zero; exec yes")
	spec.MaxOutput = 1000
	start := time.Now()
	res, err := runCommand(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Overflow || len(res.Stdout) != 1000 || res.TimedOut {
		t.Fatalf("overflow %v timed out %v with %d bytes kept", res.Overflow, res.TimedOut, len(res.Stdout))
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("a command over the cap ran on for %v", time.Since(start))
	}
}

func TestResolveProgram(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
	os.WriteFile(filepath.Join(dir, "bin", "tool"), []byte("#!/bin/sh\n"), 0o755)
	for _, tc := range []struct{ arg0, path, want string }{
		{"/bin/sh", "", "/bin/sh"},
		{"./x", "", filepath.Join(dir, "x")},
		{"tool", "/nonexistent:bin", filepath.Join(dir, "bin", "tool")},
		{"sh", "/bin", "/bin/sh"},
	} {
		got, err := resolveProgram(tc.arg0, dir, tc.path)
		if err != nil || got != tc.want {
			t.Errorf("resolveProgram(%q, PATH=%q) = %q, %v; want %q", tc.arg0, tc.path, got, err, tc.want)
		}
	}
	if _, err := resolveProgram("no-such-tool", dir, "/bin"); err == nil {
		t.Error("missing program resolved")
	}
}

// requireSandbox skips unless the jail works here (root on Linux), and
// returns one built with jopts in a fresh worker directory.
func requireSandbox(t testing.TB, jopts JailOptions) *jail {
	t.Helper()
	opts, err := Options{Dir: t.TempDir(), Jail: jopts}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(opts.Dir, actionsSubdir), 0o755)
	j, err := newJail(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := probeSandbox(context.Background(), opts.Dir, j); err != nil {
		t.Skipf("sandbox unavailable: %v", err)
	}
	// The probe started its command from this process; the tests start
	// theirs as rex-server and rex-worker do, from a spawner.
	if j.spawner, err = startSpawner(testSpawner(t), opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.spawner.close)
	return j
}

// jailed makes spec run in j as its first slot's user, handing it spec.Root.
func jailed(t testing.TB, spec execSpec, j *jail) execSpec {
	t.Helper()
	spec.Jail, spec.UID = j, j.opts.UID
	if err := chownTree(spec.Root, j.opts.UID, j.opts.GID); err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestSandboxConfinesWrites(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	outside := t.TempDir() // under /tmp: hidden by the private /tmp
	actions := t.TempDir()
	os.MkdirAll(filepath.Join(actions, "other"), 0o755)
	os.WriteFile(filepath.Join(actions, "other", "secret"), []byte("s"), 0o644)
	spec := plainSpec(t, fmt.Sprintf("cat ../other/secret || echo hidden-sibling; "+
		"echo in > inside; echo x > /tmp/private && echo tmp-ok; echo > /dev/null && echo null-ok; "+
		"touch %s/escaped || echo blocked-tmp; touch /rex-escape-marker || echo blocked-root; "+
		"touch /var/tmp/rex-escape-marker || echo blocked-var; "+
		"mount -o remount,rw / 2>/dev/null; touch /rex-escape-marker || echo blocked-remount", outside))
	spec.Dir = filepath.Join(actions, "mine")
	spec.Root, spec.Hide = spec.Dir, actions
	os.Mkdir(spec.Dir, 0o755)
	spec = jailed(t, spec, j)
	res, err := runCommand(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hidden-sibling", "tmp-ok", "null-ok", "blocked-tmp", "blocked-root", "blocked-var", "blocked-remount"} {
		if !strings.Contains(string(res.Stdout), want) {
			t.Errorf("stdout %q lacks %q (stderr %q)", res.Stdout, want, res.Stderr)
		}
	}
	for _, p := range []string{"/tmp/private", filepath.Join(outside, "escaped"), "/rex-escape-marker", "/var/tmp/rex-escape-marker"} {
		if _, err := os.Stat(p); err == nil {
			os.Remove(p)
			t.Errorf("%s written on the host", p)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(spec.Dir, "inside")); string(b) != "in\n" {
		t.Errorf("write inside the action directory: got %q", b)
	}
}

func TestSandboxHasNoNetwork(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("reached\n"))
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	script := fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d && cat <&3", port)
	spec := plainSpec(t, script)
	spec.Args = []string{"/bin/bash", "-c", script}
	spec = jailed(t, spec, j)
	res, err := runCommand(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(res.Stdout), "reached") || res.ExitCode == 0 {
		t.Fatalf("sandboxed command reached the host loopback: exit %d", res.ExitCode)
	}
	spec.Jail = nil // the same command unsandboxed does connect
	if res, _ := runCommand(context.Background(), spec); !strings.Contains(string(res.Stdout), "reached") {
		t.Fatalf("control run did not connect: %q %q", res.Stdout, res.Stderr)
	}
}

// Actions that run at once are each in a network namespace of their own;
// one that runs after another may reuse its namespace (the pool's point),
// and no action can bring its loopback up.
func TestSandboxNetworkNamespaces(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	script := "readlink /proc/self/ns/net; ip link set lo up 2>/dev/null && echo LO-UP; sleep 0.5"
	run := func() string {
		res := runJailed(t, jailSpec(t, j, script))
		return strings.TrimSpace(string(res.Stdout))
	}
	outs := make([]string, 3)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i] = run() }()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, out := range append(outs, run()) {
		if !strings.HasPrefix(out, "net:[") || strings.Contains(out, "LO-UP") {
			t.Fatalf("stdout %q: want the namespace, and the loopback left down", out)
		}
		seen[out] = true
	}
	if len(seen) < len(outs) {
		t.Errorf("actions that ran at once shared a network namespace: %q", outs)
	}
	if len(seen) != len(outs) {
		t.Errorf("the action after them got a new namespace, not one of the pool's: %v", seen)
	}
}

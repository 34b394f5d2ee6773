package worker

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
)

// jailSpec is a shell script run in j as its first slot's user, in a fresh
// action directory below a fresh actions directory.
func jailSpec(t *testing.T, j *jail, script string) execSpec {
	t.Helper()
	actions := filepath.Join(filepath.Dir(j.mountDir), actionsSubdir)
	root, err := os.MkdirTemp(actions, "a")
	if err != nil {
		t.Fatal(err)
	}
	spec := plainSpec(t, script)
	spec.Dir, spec.Root, spec.Hide = root, root, actions
	return jailed(t, spec, j)
}

func runJailed(t *testing.T, spec execSpec) execResult {
	t.Helper()
	res, err := runCommand(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestJailShowsOnlyToolchainAndOwnDirectory(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	hostTmp := t.TempDir() // a host /tmp file the action must not see
	os.WriteFile(filepath.Join(hostTmp, "f"), []byte("host"), 0o644)
	workerDir := filepath.Dir(j.mountDir)
	os.WriteFile(filepath.Join(workerDir, "store-file"), []byte("store"), 0o644)
	sibling := filepath.Join(workerDir, actionsSubdir, "sibling")
	os.MkdirAll(sibling, 0o755)
	os.WriteFile(filepath.Join(sibling, "f"), []byte("other action"), 0o644)
	paths := []string{"/root", "/home", "/opt", "/srv", "/var", hostTmp + "/f",
		workerDir + "/store-file", sibling + "/f", "/etc/ssl/private/ssl-cert-snakeoil.key"}
	var script strings.Builder
	script.WriteString("id -u; id -G; cat /etc/shadow /etc/gshadow; echo shadow-end; ")
	for _, p := range paths {
		fmt.Fprintf(&script, "if cat %[1]s 2>/dev/null || ls -A %[1]s 2>/dev/null | grep -q .; then echo LEAK %[1]s; fi; ", p)
	}
	script.WriteString("test -x /usr/bin/gcc && echo gcc-ok; test -r /etc/passwd && echo passwd-ok; set -- /proc/[0-9]*; echo $#")
	res := runJailed(t, jailSpec(t, j, script.String()))
	lines := strings.Split(strings.TrimSpace(string(res.Stdout)), "\n")
	if len(lines) < 3 || lines[0] != "65534" || lines[1] != "65534" || lines[2] != "shadow-end" {
		t.Fatalf("want uid 65534, only group 65534 and an empty /etc/shadow; stdout %q stderr %q", res.Stdout, res.Stderr)
	}
	if shadow, _ := os.ReadFile("/etc/shadow"); len(shadow) == 0 {
		t.Log("host /etc/shadow is empty: its mask is not tested")
	}
	out := string(res.Stdout)
	if strings.Contains(out, "LEAK") {
		t.Errorf("the action saw host paths:\n%s", out)
	}
	for _, want := range []string{"gcc-ok", "passwd-ok"} {
		if _, err := os.Stat("/usr/bin/gcc"); want == "gcc-ok" && err != nil {
			continue
		}
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q: the toolchain is not exposed (stderr %q)", out, want, res.Stderr)
		}
	}
	// hidepid: of all the host's processes the shell sees only itself.
	if n, err := strconv.Atoi(lines[len(lines)-1]); err != nil || n != 1 {
		t.Errorf("the action sees %q processes in /proc, want only its own", lines[len(lines)-1])
	}
}

func TestJailActionsCannotReachEachOther(t *testing.T) {
	j := requireSandbox(t, JailOptions{})
	// Another action and a host daemon, both of the jail's uid.
	other := jailSpec(t, j, "echo secret > s; exec sleep 20")
	done := make(chan execResult, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-done }()
	go func() { res, _ := runCommand(ctx, other); done <- res }()
	daemon := exec.Command("/bin/sleep", "20")
	daemon.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
		Uid: uint32(j.opts.UID), Gid: uint32(j.opts.GID), Groups: []uint32{}}}
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { daemon.Process.Kill(); daemon.Wait() }()
	for i := 0; ; i++ { // until the other action has written its file
		if _, err := os.Stat(filepath.Join(other.Root, "s")); err == nil {
			break
		}
		if i == 1000 {
			t.Fatal("the other action did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The action's shell, globbing /proc itself, sees only itself there, so
	// cannot reach the other's directory through /proc/PID/cwd, nor the
	// host's files through the daemon's /proc/PID/root.
	planted := filepath.Join(t.TempDir(), "planted")
	os.WriteFile(planted, []byte("host-only\n"), 0o644)
	spec := jailSpec(t, j, "set -- /proc/[0-9]*; echo $#; cat /proc/[0-9]*/cwd/s /proc/[0-9]*/root"+planted+" 2>/dev/null; cat s")
	os.WriteFile(filepath.Join(spec.Root, "s"), []byte("own\n"), 0o644)
	res := runJailed(t, spec)
	lines := strings.Fields(string(res.Stdout))
	out := string(res.Stdout)
	if strings.Contains(out, "secret") || strings.Contains(out, "host-only") || len(lines) < 2 || lines[0] != "1" || lines[len(lines)-1] != "own" {
		t.Errorf("stdout %q, want 1 process, its own file, nothing of the other action or the host (stderr %q)", out, res.Stderr)
	}
}

func TestJailBoundsProcesses(t *testing.T) {
	j := requireSandbox(t, JailOptions{Processes: 16})
	// Forks until refused; the shell, pid 1 of the action, then exits and
	// takes every sleep with it.
	res := runJailed(t, jailSpec(t, j, "n=0; while [ $n -lt 1000 ]; do sleep 60 & n=$((n+1)); echo $n; done"))
	lines := strings.Fields(string(res.Stdout))
	last := 0
	if len(lines) > 0 {
		last, _ = strconv.Atoi(lines[len(lines)-1])
	}
	if res.ExitCode == 0 || res.TimedOut || last >= 16 || last < 5 {
		t.Fatalf("fork loop: exit %d, timed out %v, %d sleeps started, want a refusal below 16 (stderr %q)",
			res.ExitCode, res.TimedOut, last, res.Stderr)
	}
}

func TestJailBoundsMemory(t *testing.T) {
	if _, err := os.Stat("/usr/bin/perl"); err != nil {
		t.Skip("no /usr/bin/perl to allocate with")
	}
	j := requireSandbox(t, JailOptions{MemoryBytes: 256 << 20})
	alloc := func(mib int) execResult {
		return runJailed(t, jailSpec(t, j, fmt.Sprintf(`/usr/bin/perl -e '$x = "a" x (%d << 20); print length($x) >> 20'`, mib)))
	}
	if res := alloc(32); res.ExitCode != 0 || string(res.Stdout) != "32" {
		t.Fatalf("32 MiB under a 256 MiB limit: exit %d %q %q", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res := alloc(512); res.ExitCode == 0 {
		t.Fatalf("512 MiB under a 256 MiB limit succeeded: %q", res.Stdout)
	}
}

func TestJailDiskQuota(t *testing.T) {
	j := requireSandbox(t, JailOptions{DiskBytes: 1 << 20})
	for _, tc := range []struct {
		name, script string
		fails        bool
	}{
		{"under", "head -c 500000 /dev/zero > f", false},
		{"one-file", "head -c 2000000 /dev/zero > f", true},
		{"many-files", "for i in 1 2 3 4; do head -c 400000 /dev/zero > f$i; done", true},
		{"tmp", "head -c 2000000 /dev/zero > /tmp/f", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := jailSpec(t, j, tc.script)
			res := runJailed(t, spec)
			err := checkQuota(spec, res)
			failed := err != nil || res.ExitCode != 0
			if failed != tc.fails {
				t.Errorf("%s: exit %d, quota %v; want failure %v", tc.script, res.ExitCode, err, tc.fails)
			}
		})
	}
}

// An action writes beside its inputs, and may replace them, but never
// writes through one: they are links into the worker's file cache, which
// the next action sees unchanged. An input that is also an output is the
// action's own copy, to change in place.
func TestJailedActionCannotWriteThroughItsInputs(t *testing.T) {
	requireSandbox(t, JailOptions{})
	e := newEnv(t, Options{})
	inputs := []client.Input{{Path: "src/in.txt", Data: []byte("input\n")}, {Path: "src/gen.txt", Data: []byte("input\n")}}
	ad := e.upload(t, shCommand("echo evil >> src/in.txt; echo append=$?; chmod u+w src/in.txt; echo chmod=$?; "+
		"echo more >> src/gen.txt && mkdir -p src/new && echo made > src/new/f && "+
		"rm src/in.txt && echo replaced > src/in.txt && cat src/in.txt", "src/new/f", "src/gen.txt"), inputs)
	ar := e.result(t, e.run(t, ad, time.Minute))
	out := string(e.read(t, ar.GetStdoutDigest()))
	if ar.GetExitCode() != 0 || strings.Contains(out, "append=0") || strings.Contains(out, "chmod=0") ||
		!strings.HasSuffix(out, "replaced\n") || len(ar.GetOutputFiles()) != 2 {
		t.Errorf("exit %d stdout %q outputs %d, stderr %s", ar.GetExitCode(), out, len(ar.GetOutputFiles()), e.read(t, ar.GetStderrDigest()))
	}
	for _, f := range ar.GetOutputFiles() {
		if got := string(e.read(t, f.GetDigest())); f.GetPath() == "src/gen.txt" && got != "input\nmore\n" {
			t.Errorf("the input declared as an output holds %q, want it changed in place", got)
		}
	}
	ad = e.upload(t, shCommand("cat src/in.txt"), inputs)
	ar = e.result(t, e.run(t, ad, time.Minute))
	if out := string(e.read(t, ar.GetStdoutDigest())); out != "input\n" {
		t.Errorf("the next action read %q from its input, want it as uploaded", out)
	}
	cached, _ := filepath.Glob(filepath.Join(e.dir, cacheSubdir, "sha256", "*", "*"))
	for _, p := range cached {
		if b, _ := os.ReadFile(p); string(b) != "input\n" {
			t.Errorf("cached file %s holds %q", p, b)
		}
	}
	if len(cached) == 0 {
		t.Error("nothing in the file cache: the inputs were not linked from it")
	}
}

func TestJailOptionsRefuseExposingWhatTheJailCovers(t *testing.T) {
	for _, p := range []string{"relative", "/", "/tmp/cc", "/proc", "/rex/x", "/dev"} {
		if _, err := (JailOptions{Expose: []string{p}}).withDefaults(); err == nil {
			t.Errorf("expose %q accepted", p)
		}
	}
	j, err := JailOptions{Expose: []string{"/opt/cc/", "/usr"}}.withDefaults()
	usr := 0
	for _, p := range j.Expose {
		if p == "/usr" {
			usr++
		}
	}
	if err != nil || !slices.Contains(j.Expose, "/opt/cc") || usr != 1 {
		t.Errorf("expose /opt/cc/ and /usr: %v, %v", j.Expose, err)
	}
}

func TestJailExposesExtraPathsReadOnly(t *testing.T) {
	tools, err := os.MkdirTemp("/var/tmp", "rex-expose-") // /tmp could not be exposed
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tools) })
	os.Chmod(tools, 0o755)
	os.WriteFile(filepath.Join(tools, "cc"), []byte("#!/bin/sh\necho tool-ran\n"), 0o755)
	j := requireSandbox(t, JailOptions{Expose: []string{tools}})
	res := runJailed(t, jailSpec(t, j, tools+"/cc; touch "+tools+"/new 2>/dev/null && echo wrote; ls /var"))
	if out := string(res.Stdout); !strings.HasPrefix(out, "tool-ran\n") || strings.Contains(out, "wrote") {
		t.Errorf("stdout %q stderr %q: want the exposed tool run and its directory read-only", out, res.Stderr)
	}
	if _, err := os.Stat(filepath.Join(tools, "new")); err == nil {
		t.Error("the action wrote into an exposed directory")
	}
}

// TestJailedActionHoldsOnlyItsStdio: a sandboxed command gets stdin, stdout
// and stderr and nothing else: not a descriptor the worker inherited from
// whatever started it, nor the pipes and socket of another action running
// at the same time (which could write into that action's output or answer
// for it).
func TestJailedActionHoldsOnlyItsStdio(t *testing.T) {
	var inherited [2]int // a descriptor as a shell or service manager leaves one
	if err := syscall.Pipe(inherited[:]); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(inherited[0])
	defer syscall.Close(inherited[1])
	j := requireSandbox(t, JailOptions{})
	other := jailSpec(t, j, "echo started > s; exec sleep 20")
	done := make(chan execResult, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-done }()
	go func() { res, _ := runCommand(ctx, other); done <- res }()
	for i := 0; ; i++ { // until the other action runs
		if _, err := os.Stat(filepath.Join(other.Root, "s")); err == nil {
			break
		}
		if i == 1000 {
			t.Fatal("the other action did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// ls inherits what the action's shell holds, and reads the directory
	// through a descriptor of its own, 3.
	res := runJailed(t, jailSpec(t, j, "ls /proc/self/fd"))
	if got := strings.Fields(string(res.Stdout)); !slices.Equal(got, []string{"0", "1", "2", "3"}) {
		t.Errorf("the action holds descriptors %q, want 0 1 2 and ls's own 3 (stderr %q)", got, res.Stderr)
	}
}

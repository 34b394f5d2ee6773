package worker

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/client"
)

func TestAutoWithoutSandboxRefusesActions(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	e := newEnv(t, Options{probe: func(context.Context, Options) error {
		return errors.New("simulated: no namespaces here")
	}})
	c := e.run(t, e.upload(t, shCommand("touch "+marker), nil), time.Minute)
	msg := c.GetStatusMessage()
	if codes.Code(c.GetStatusCode()) != codes.FailedPrecondition || c.GetActionResult() != nil ||
		!strings.Contains(msg, "sandbox is unavailable: simulated") || !strings.Contains(msg, "--sandbox none") {
		t.Errorf("Complete: code %d %q, result %v; want FAILED_PRECONDITION naming the cause and --sandbox none",
			c.GetStatusCode(), msg, c.GetActionResult())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the action ran unisolated")
	}
}

func TestRequiredSandboxStopsTheWorker(t *testing.T) {
	opts, err := Options{Dir: t.TempDir(), Sandbox: SandboxNamespaces, probe: func(context.Context, Options) error {
		return errors.New("simulated")
	}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chooseSandbox(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "simulated") {
		t.Errorf("chooseSandbox in namespaces mode = %v, want the probe's error", err)
	}
}

func TestLimitsFailActionsAndTheWorkerLivesOn(t *testing.T) {
	requireSandbox(t, JailOptions{})
	if _, err := os.Stat("/usr/bin/perl"); err != nil {
		t.Skip("no /usr/bin/perl to allocate with")
	}
	e := newEnv(t, Options{Jail: JailOptions{MemoryBytes: 256 << 20, Processes: 16, DiskBytes: 1 << 20}})
	for _, tc := range []struct{ name, script string }{
		{"memory", `/usr/bin/perl -e '$x = "a" x (512 << 20)'`},
		{"processes", "while :; do sleep 60 & done"},
	} {
		ar := e.result(t, e.run(t, e.upload(t, shCommand(tc.script), nil), time.Minute))
		if ar.GetExitCode() == 0 {
			t.Errorf("%s: past the limit, the action exited 0", tc.name)
		}
	}
	c := e.run(t, e.upload(t, shCommand("head -c 2000000 /dev/zero > big"), nil), time.Minute)
	if codes.Code(c.GetStatusCode()) != codes.ResourceExhausted || !strings.Contains(c.GetStatusMessage(), "disk quota") {
		t.Errorf("disk: code %d %q, want RESOURCE_EXHAUSTED naming the disk quota", c.GetStatusCode(), c.GetStatusMessage())
	}
	ar := e.result(t, e.run(t, e.upload(t, shCommand("id -u"), nil), time.Minute))
	if ar.GetExitCode() != 0 || string(e.read(t, ar.GetStdoutDigest())) != "65534\n" {
		t.Errorf("after the limits, an action: exit %d stdout %q", ar.GetExitCode(), e.read(t, ar.GetStdoutDigest()))
	}
}

// TestJailedCompilesMatchLocal compiles a file that includes <iostream>,
// with each compiler found, locally and in the jail.
func TestJailedCompilesMatchLocal(t *testing.T) {
	requireSandbox(t, JailOptions{})
	src := "#include <iostream>\nint main() { std::cout << \"hi\" << std::endl; }\n"
	e := newEnv(t, Options{})
	for _, name := range []string{"g++", "clang++"} {
		compiler, err := exec.LookPath(name)
		if err != nil {
			t.Logf("no %s", name)
			continue
		}
		args := []string{compiler, "-O2", "-c", "hi.cc", "-o", "hi.o"}
		local := t.TempDir()
		os.WriteFile(filepath.Join(local, "hi.cc"), []byte(src), 0o644)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = local
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("local %s: %v\n%s", name, err, out)
		}
		want, _ := os.ReadFile(filepath.Join(local, "hi.o"))
		ad := e.upload(t, &repb.Command{Arguments: args, OutputPaths: []string{"hi.o"}},
			[]client.Input{{Path: "hi.cc", Data: []byte(src)}})
		ar := e.result(t, e.run(t, ad, time.Minute))
		if ar.GetExitCode() != 0 || len(ar.GetOutputFiles()) != 1 {
			t.Fatalf("%s in the jail: exit %d, stderr %s", name, ar.GetExitCode(), e.read(t, ar.GetStderrDigest()))
		}
		if got := e.read(t, ar.GetOutputFiles()[0].GetDigest()); string(got) != string(want) {
			t.Errorf("%s: the jailed object differs from the local one (%d vs %d bytes)", name, len(got), len(want))
		}
	}
}

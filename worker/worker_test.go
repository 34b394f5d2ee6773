package worker

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

func TestLeaseRunsCommandAndReportsResult(t *testing.T) {
	e := newEnv(t, Options{ID: "w1"})
	ad := e.upload(t, shCommand("echo hi; echo err >&2; printf x > out/a.txt; exit 3", "out/a.txt"), nil)
	c := e.run(t, ad, 10*time.Second)
	if c.GetStatusCode() != 0 || c.GetWorkerId() != "w1" {
		t.Fatalf("Complete status %d %q from %q", c.GetStatusCode(), c.GetStatusMessage(), c.GetWorkerId())
	}
	ar := e.result(t, c)
	if ar.GetExitCode() != 3 {
		t.Errorf("exit code %d, want 3", ar.GetExitCode())
	}
	if got := string(e.read(t, ar.GetStdoutDigest())); got != "hi\n" {
		t.Errorf("stdout %q", got)
	}
	if got := string(e.read(t, ar.GetStderrDigest())); got != "err\n" {
		t.Errorf("stderr %q", got)
	}
	if len(ar.GetOutputFiles()) != 1 || ar.GetOutputFiles()[0].GetPath() != "out/a.txt" ||
		string(e.read(t, ar.GetOutputFiles()[0].GetDigest())) != "x" {
		t.Errorf("output files %v", ar.GetOutputFiles())
	}
	if m := ar.GetExecutionMetadata(); m.GetWorker() != "w1" || m.GetExecutionStartTimestamp() == nil ||
		m.GetWorkerCompletedTimestamp().AsTime().Before(m.GetWorkerStartTimestamp().AsTime()) {
		t.Errorf("metadata %v", m)
	}
	// A standalone worker uploads a copy too, for servers that read it there.
	if rd := c.GetActionResultDigest(); rd == nil || !bytes.Equal(e.read(t, &repb.Digest{Hash: rd.GetHash(), SizeBytes: rd.GetSizeBytes()}), c.GetActionResult()) {
		t.Errorf("the result's digest %v does not name the result Complete carries", rd)
	}
	assertActionDirsRemoved(t, e)
}

// assertActionDirsRemoved checks that the worker's only slot, done with its
// action, removed the action's directory before it asked for more work (it
// removes it after reporting).
func assertActionDirsRemoved(t *testing.T, e *testEnv) {
	t.Helper()
	select {
	case <-e.fake.asked: // perhaps the call that brought the action
	default:
	}
	select {
	case <-e.fake.asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not ask for more work")
	}
	left, _ := os.ReadDir(filepath.Join(e.dir, actionsSubdir))
	if len(left) > 0 {
		t.Errorf("action directories left behind: %v", left)
	}
}

func TestOutputDirectoryAndSymlink(t *testing.T) {
	e := newEnv(t, Options{})
	script := "mkdir -p d/sub d/sub2 && printf a > d/a && printf b > d/sub/b && printf b > d/sub2/b && " +
		"chmod +x d/a && ln -s a d/link && ln -s d/a lnk"
	ad := e.upload(t, shCommand(script, "d", "lnk"), nil)
	ar := e.result(t, e.run(t, ad, 10*time.Second))
	if l := ar.GetOutputSymlinks(); len(l) != 1 || l[0].GetPath() != "lnk" || l[0].GetTarget() != "d/a" {
		t.Errorf("output symlinks %v", l)
	}
	if len(ar.GetOutputDirectories()) != 1 {
		t.Fatalf("output directories %v", ar.GetOutputDirectories())
	}
	tree := &repb.Tree{}
	e.readMessage(t, ar.GetOutputDirectories()[0].GetTreeDigest(), tree)
	root := tree.GetRoot()
	if len(root.GetFiles()) != 1 || !root.GetFiles()[0].GetIsExecutable() ||
		len(root.GetSymlinks()) != 1 || root.GetSymlinks()[0].GetTarget() != "a" ||
		len(root.GetDirectories()) != 2 {
		t.Fatalf("root %v", root)
	}
	// sub and sub2 are identical: the tree holds that Directory once.
	if len(tree.GetChildren()) != 1 || proto.Equal(tree.GetChildren()[0], root) {
		t.Fatalf("children %v", tree.GetChildren())
	}
	d, _, _ := e.fn.FromMessage(tree.GetChildren()[0])
	if !proto.Equal(d.Proto(), root.GetDirectories()[0].GetDigest()) {
		t.Errorf("child digest %v, root names %v", d, root.GetDirectories()[0].GetDigest())
	}
}

func TestCompileMatchesLocalCompile(t *testing.T) {
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("no g++")
	}
	src := "#include \"greet.h\"\nint greet(int x) { return x * GREETING; }\n"
	hdr := "#define GREETING 42\n"
	args := []string{gxx, "-O2", "-Iinclude", "-c", "src/greet.cc", "-o", "out/greet.o"}
	local := t.TempDir()
	os.MkdirAll(filepath.Join(local, "src"), 0o755)
	os.MkdirAll(filepath.Join(local, "include"), 0o755)
	os.MkdirAll(filepath.Join(local, "out"), 0o755)
	os.WriteFile(filepath.Join(local, "src/greet.cc"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(local, "include/greet.h"), []byte(hdr), 0o644)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = local
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("local compile: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(filepath.Join(local, "out/greet.o"))

	e := newEnv(t, Options{}) // sandboxed when this machine allows it
	ad := e.upload(t, &repb.Command{
		Arguments:            append([]string{"g++"}, args[1:]...),
		EnvironmentVariables: []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: filepath.Dir(gxx)}},
		OutputPaths:          []string{"out/greet.o"},
	}, []client.Input{
		{Path: "src/greet.cc", Data: []byte(src)},
		{Path: "include/greet.h", Data: []byte(hdr)},
	})
	ar := e.result(t, e.run(t, ad, time.Minute))
	if ar.GetExitCode() != 0 || len(ar.GetOutputFiles()) != 1 {
		t.Fatalf("remote compile: exit %d, stderr %s", ar.GetExitCode(), e.read(t, ar.GetStderrDigest()))
	}
	if got := e.read(t, ar.GetOutputFiles()[0].GetDigest()); string(got) != string(want) {
		t.Errorf("object differs from the local compile (%d vs %d bytes)", len(got), len(want))
	}
}

func TestTimeoutKillsProcessGroupAndReportsDeadline(t *testing.T) {
	e := newEnv(t, Options{Sandbox: SandboxNone}) // host pids, to check on the child
	ad := e.upload(t, shCommand("sleep 100 & echo $! > bg; sleep 100", "bg"), nil)
	start := time.Now()
	c := e.run(t, ad, 500*time.Millisecond)
	if codes.Code(c.GetStatusCode()) != codes.DeadlineExceeded || time.Since(start) > 10*time.Second {
		t.Fatalf("status %d %q after %v", c.GetStatusCode(), c.GetStatusMessage(), time.Since(start))
	}
	ar := e.result(t, c) // the partial result
	if len(ar.GetOutputFiles()) != 1 {
		t.Fatalf("partial result lacks bg: %v", ar)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(e.read(t, ar.GetOutputFiles()[0].GetDigest()))))
	waitDead(t, pid)
}

func TestInvalidInputTreeRunsNothing(t *testing.T) {
	e := newEnv(t, Options{Sandbox: SandboxNone})
	marker := filepath.Join(t.TempDir(), "ran")
	file := e.fn.FromBytes([]byte("x"))
	bad := &repb.Directory{Files: []*repb.FileNode{{Name: "..", Digest: file.Proto()}}}
	rd, rb, _ := e.fn.FromMessage(bad)
	cd, cb, _ := e.fn.FromMessage(shCommand("touch " + marker))
	ad, ab, _ := e.fn.FromMessage(&repb.Action{CommandDigest: cd.Proto(), InputRootDigest: rd.Proto()})
	err := e.cas.Upload(context.Background(), []client.Blob{
		{Digest: file, Data: []byte("x")}, {Digest: rd, Data: rb}, {Digest: cd, Data: cb}, {Digest: ad, Data: ab}})
	if err != nil {
		t.Fatal(err)
	}
	c := e.run(t, ad, 10*time.Second)
	if codes.Code(c.GetStatusCode()) != codes.InvalidArgument || c.GetActionResult() != nil {
		t.Fatalf("status %d %q, result %v", c.GetStatusCode(), c.GetStatusMessage(), c.GetActionResult())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command ran")
	}
}

func TestEscapingPathsRunNothing(t *testing.T) {
	e := newEnv(t, Options{Sandbox: SandboxNone})
	marker := filepath.Join(t.TempDir(), "ran")
	for _, cmd := range []*repb.Command{
		shCommand("touch "+marker, "../x"),
		shCommand("touch "+marker, "/etc/x"),
		{Arguments: []string{"/bin/sh", "-c", "touch " + marker}, OutputFiles: []string{"a/../../x"}},
		{Arguments: []string{"/bin/sh", "-c", "touch " + marker}, WorkingDirectory: "../up"},
	} {
		c := e.run(t, e.upload(t, cmd, nil), 10*time.Second)
		if codes.Code(c.GetStatusCode()) != codes.InvalidArgument || c.GetActionResult() != nil {
			t.Errorf("%v: status %d %q", cmd, c.GetStatusCode(), c.GetStatusMessage())
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a command ran")
	}
}

func TestOversizedStdoutFailsAction(t *testing.T) {
	e := newEnv(t, Options{MaxOutputBytes: 1000})
	c := e.run(t, e.upload(t, shCommand("head -c 5000 /dev/zero"), nil), 10*time.Second)
	if codes.Code(c.GetStatusCode()) != codes.ResourceExhausted {
		t.Fatalf("status %d %q", c.GetStatusCode(), c.GetStatusMessage())
	}
}

func TestMissingInputIsFailedPrecondition(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.run(t, digest.SHA256.FromBytes([]byte("no such action")), 10*time.Second)
	if codes.Code(c.GetStatusCode()) != codes.FailedPrecondition {
		t.Fatalf("status %d %q", c.GetStatusCode(), c.GetStatusMessage())
	}
}

package wrapper

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/rexbuild/rex/stats"
)

// executeAnswers answers Execute with a finished action whose result is r.
func executeAnswers(r *repb.ActionResult) func(any, grpc.ServerStream) error {
	return func(_ any, ss grpc.ServerStream) error {
		resp, _ := anypb.New(&repb.ExecuteResponse{Result: r})
		return ss.SendMsg(&longrunningpb.Operation{Name: "operations/x", Done: true,
			Result: &longrunningpb.Operation_Response{Response: resp}})
	}
}

// Failures a missing input, a broken toolchain or a broken worker could
// explain are compiled locally, never replayed.
func TestRemoteFailureRexMayHaveCausedFallsBack(t *testing.T) {
	for name, r := range map[string]*repb.ActionResult{
		"missing header": {ExitCode: 1,
			StderrRaw: []byte("hello.cpp:1:10: fatal error: foo.h: No such file or directory\n    1 | #include \"foo.h\"\ncompilation terminated.\n")},
		"clang missing header":   {ExitCode: 1, StderrRaw: []byte("hello.cpp:1:10: fatal error: 'foo.h' file not found\n")},
		"internal error":         {ExitCode: 4, StderrRaw: []byte("hello.cpp:2:1: internal compiler error: in tsubst, at cp/pt.cc:1\n")},
		"killed":                 {ExitCode: 128 + 9},
		"odd exit, quiet":        {ExitCode: 2},
		"no space":               {ExitCode: 1, StderrRaw: []byte("/tmp/ccX.s: No space left on device\n")},
		"loader":                 {ExitCode: 1, StderrRaw: []byte("cc1plus: error while loading shared libraries: libisl.so.23: cannot open shared object file\n")},
		"read-only tmp":          {ExitCode: 1, StderrRaw: []byte("cc1plus: fatal error: cannot create /tmp/ccX.s: Read-only file system\n")},
		"crash":                  {ExitCode: 1, StderrRaw: []byte("g++: internal compiler error: Segmentation fault signal terminated program cc1plus\n")},
		"permission":             {ExitCode: 1, StderrRaw: []byte("hello.cpp: Permission denied\n")},
		"worker lost the signal": {ExitCode: -1},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t)
			p := newProject(t, srv.addr)
			p.write("hello.cpp", helloSrc)
			srv.faults.setStream(methodExecute, executeAnswers(r))
			os.Remove(filepath.Join(p.dir, "hello.o"))
			res := p.run(compileHello...)
			if res.Outcome != stats.LocalFallback || !res.RunLocal {
				t.Fatalf("outcome %v (%v), exit %d; want a local fallback", res.Outcome, res.Reason, res.ExitCode)
			}
			if res.Reason == nil || !strings.Contains(res.Reason.Error(), "may have caused") {
				t.Errorf("reason %v does not say why", res.Reason)
			}
		})
	}
}

// An ordinary compile error is the compile's result: replayed exactly.
func TestRemoteCompileErrorIsReplayed(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	os.WriteFile(filepath.Join(p.dir, "hello.o"), []byte("stale"), 0o644)
	stdout := []byte("note on stdout\n")
	stderr := []byte("hello.cpp: In function 'int main()':\nhello.cpp:2:44: error: expected ';' before '}' token\n")
	srv.faults.setStream(methodExecute, executeAnswers(&repb.ActionResult{ExitCode: 1, StdoutRaw: stdout, StderrRaw: stderr}))
	r := p.run(compileHello...)
	if r.Outcome != stats.RemoteExecution || r.RunLocal || r.ExitCode != 1 {
		t.Fatalf("outcome %v (%v), exit %d; want a replayed remote failure", r.Outcome, r.Reason, r.ExitCode)
	}
	if !bytes.Equal(r.Stdout, stdout) || !bytes.Equal(r.Stderr, stderr) {
		t.Errorf("replayed stdout %q, stderr %q; want %q, %q", r.Stdout, r.Stderr, stdout, stderr)
	}
	if p.exists("hello.o") {
		t.Error("the stale object survived a failed compile")
	}
}

// A real syntax error compiled by the real worker comes back exactly as the
// local compiler prints it.
func TestRealSyntaxErrorIsReplayed(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("bad.cpp", "int f() {\n  return 1\n}\n")
	argv := []string{"g++", "-c", "bad.cpp", "-o", "bad.o"}
	local := exec.Command(argv[0], argv[1:]...)
	local.Dir = p.dir
	var want bytes.Buffer
	local.Stderr = &want
	if err := local.Run(); err == nil {
		t.Fatal("the local compile of bad.cpp succeeded")
	}
	r := p.run(argv...)
	if r.Outcome != stats.RemoteExecution || r.RunLocal || r.ExitCode != local.ProcessState.ExitCode() {
		t.Fatalf("outcome %v (%v), exit %d; want a replayed remote failure", r.Outcome, r.Reason, r.ExitCode)
	}
	if !bytes.Equal(r.Stderr, want.Bytes()) {
		t.Errorf("stderr %q, want %q", r.Stderr, want.Bytes())
	}
}

// TestHiddenIncbinFallsBack: clang's integrated assembler reads an
// .incbin that a string escape hid from rex; the worker lacks the file. The
// compile succeeds locally, so it must not fail under rex.
func TestHiddenIncbinFallsBack(t *testing.T) {
	if _, err := exec.LookPath("clang"); err != nil {
		t.Skip("clang is not installed")
	}
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("d.bin", "data")
	p.write("a.c", "__asm__(\".section .rodata\\n.inc\\x62in \\\"d.bin\\\"\\n.previous\");\nint x;\n")
	r := p.run("clang", "-c", "a.c", "-o", "a.o")
	// rex's worker tells that clang looked for d.bin, which this machine
	// holds: rex compiles locally, saying so. (Another server's worker
	// fails on the missing file, and rex falls back: TestRemoteFault.)
	if !r.RunLocal || r.Outcome != stats.LocalRun || r.Reason == nil || !strings.Contains(r.Reason.Error(), "d.bin") {
		t.Fatalf("outcome %v (%v), exit %d, stderr %q; want a local compile naming d.bin", r.Outcome, r.Reason, r.ExitCode, r.Stderr)
	}
}

func TestRemoteFault(t *testing.T) {
	if why := remoteFault(1, []byte("x.c:1:1: error: unknown type name 'foo'\n")); why != "" {
		t.Errorf("an ordinary error reads as rex's fault: %s", why)
	}
	if remoteFault(0, []byte("No such file or directory")) != "" {
		t.Error("a success is never a fault")
	}
}

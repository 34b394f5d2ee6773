package wrapper

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/lookups"
	"github.com/rexbuild/rex/lookups/accountmeta"
	"github.com/rexbuild/rex/stats"
)

const (
	helloSrc = "#include <cstdio>\nint main() { std::puts(\"hi\"); return 0; }\n"
	// Methods the tests break.
	methodExecute  = "/build.bazel.remote.execution.v2.Execution/Execute"
	methodGetAR    = "/build.bazel.remote.execution.v2.ActionCache/GetActionResult"
	methodReadBlob = "/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchReadBlobs"
)

var compileHello = []string{"g++", "-c", "hello.cpp", "-o", "hello.o"}

func TestCacheOnlyFillThenHit(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	p.fill(compileHello...)
	local, _ := os.ReadFile(filepath.Join(p.dir, "hello.o"))
	os.Remove(filepath.Join(p.dir, "hello.o"))
	r := p.run(compileHello...)
	if r.Outcome != stats.CacheHit || r.RunLocal {
		t.Fatalf("outcome %v (%v), want a cache hit", r.Outcome, r.Reason)
	}
	got, err := os.ReadFile(filepath.Join(p.dir, "hello.o"))
	if err != nil || !bytes.Equal(got, local) {
		t.Fatalf("hit object differs from the local one (%v)", err)
	}
}

func TestNotRemotableRunsLocally(t *testing.T) {
	p := newProject(t, "unix:///nonexistent.sock")
	p.write("hello.cpp", helloSrc)
	for _, argv := range [][]string{
		{"g++", "hello.o", "-o", "hello"},
		{"g++", "-E", "hello.cpp"},
		{"g++", "-c", "hello.cpp", "other.cpp"},
	} {
		if r := p.run(argv...); r.Outcome != stats.LocalRun || !r.RunLocal {
			t.Errorf("%v: outcome %v, want a local run", argv, r.Outcome)
		}
	}
}

// TestInputsOutsideTheProjectAreUploaded: an out-of-tree build of a tree
// that is no git checkout, with headers in a directory elsewhere named by
// an absolute -I and by CPATH, runs remotely, and the object and dep file
// are the local compile's. Editing a header outside changes the result.
func TestInputsOutsideTheProjectAreUploaded(t *testing.T) {
	srv := startServerWith(t, 2)
	p := newProject(t, srv.addr)
	side, cpath := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(side, "side.h"), []byte("#define SIDE 1\n"), 0o644)
	os.WriteFile(filepath.Join(cpath, "cp.h"), []byte("#define CP 2\n"), 0o644)
	p.write("src/a.cpp", "#include \"side.h\"\n#include <cp.h>\nint a = SIDE + CP;\nconst char *f = __FILE__;\n")
	os.MkdirAll(filepath.Join(p.dir, "build"), 0o755)
	argv := []string{"g++", "-I" + side, "-c", "../src/a.cpp", "-o", "x.o", "-MD", "-MF", "x.d"}
	build := p.dir + "/build"
	p.cfg.ProjectRoot = ""
	t.Setenv("CPATH", cpath)
	p.missHitMiss(t, build, argv, func() {
		os.WriteFile(filepath.Join(side, "side.h"), []byte("#define SIDE 7\n"), 0o644)
	})
}

func TestServerDownFallsBack(t *testing.T) {
	p := newProject(t, "unix://"+filepath.Join(t.TempDir(), "nobody.sock"))
	p.write("hello.cpp", helloSrc)
	start := time.Now()
	r := p.run(compileHello...)
	if r.Outcome != stats.LocalFallback || !r.RunLocal {
		t.Fatalf("outcome %v, want a local fallback", r.Outcome)
	}
	t.Logf("fallback decided in %v: %v", time.Since(start), r.Reason)
	if p.exists("hello.o") {
		t.Error("an object was written")
	}
	// The next compiles skip the remote path, scan included, for a while.
	if r := p.run(compileHello...); r.Outcome != stats.LocalFallback || !errors.Is(r.Reason, errRecentlyUnreachable) {
		t.Errorf("second compile: %v (%v), want a fallback without trying the server", r.Outcome, r.Reason)
	}
}

// A server that answers, even with errors, is not "unreachable".
func TestBusyServerIsNotUnreachable(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	srv.faults.setUnary(methodGetAR, func(any, error) (any, error) {
		return nil, status.Error(codes.Unavailable, "busy")
	})
	p.run(compileHello...)
	if recentlyUnreachable(p.cfg) {
		t.Error("a busy server was recorded as unreachable")
	}
}

// assertFallback runs the hello compile and checks it fell back without
// writing an object.
func assertFallback(t *testing.T, p *project) {
	t.Helper()
	os.Remove(filepath.Join(p.dir, "hello.o"))
	r := p.run(compileHello...)
	if r.Outcome != stats.LocalFallback || !r.RunLocal {
		t.Fatalf("outcome %v (%v), want a local fallback", r.Outcome, r.Reason)
	}
	t.Logf("fell back: %v", r.Reason)
	if p.exists("hello.o") {
		t.Fatal("a failed remote compile left an object behind")
	}
}

// withoutInline makes the server answer GetActionResult without inline
// output content, as a server may: the outputs are then fetched.
func withoutInline(srv *testServer) {
	srv.faults.setUnary(methodGetAR, func(resp any, err error) (any, error) {
		if r, ok := resp.(*repb.ActionResult); ok {
			for _, f := range r.OutputFiles {
				f.Contents = nil
			}
		}
		return resp, err
	})
}

// A corrupt inline output is refused like a corrupt fetched one.
func TestCorruptInlineOutputFallsBack(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	p.fill(compileHello...)
	inlined := false
	srv.faults.setUnary(methodGetAR, func(resp any, err error) (any, error) {
		if r, ok := resp.(*repb.ActionResult); ok {
			for _, f := range r.OutputFiles {
				if len(f.Contents) > 0 {
					f.Contents[len(f.Contents)/2] ^= 0xff
					inlined = true
				}
			}
		}
		return resp, err
	})
	assertFallback(t, p)
	if !inlined {
		t.Fatal("the server inlined no output: the hit took two calls")
	}
}

func TestCorruptOutputBlobFallsBack(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	p.fill(compileHello...)
	withoutInline(srv)
	srv.faults.setUnary(methodReadBlob, func(resp any, err error) (any, error) {
		if r, ok := resp.(*repb.BatchReadBlobsResponse); ok {
			for _, b := range r.Responses {
				if len(b.Data) > 0 {
					b.Data[len(b.Data)/2] ^= 0xff
				}
			}
		}
		return resp, err
	})
	assertFallback(t, p)
}

func TestLyingServerPathsFallBack(t *testing.T) {
	for name, lie := range map[string]func(*repb.ActionResult){
		"dotdot": func(r *repb.ActionResult) {
			r.OutputFiles = append(r.OutputFiles, &repb.OutputFile{Path: "../escape.o", Digest: r.OutputFiles[0].Digest})
		},
		"absolute": func(r *repb.ActionResult) {
			r.OutputFiles = append(r.OutputFiles, &repb.OutputFile{Path: "/tmp/rex-absolute.o", Digest: r.OutputFiles[0].Digest})
		},
		"symlink out": func(r *repb.ActionResult) {
			r.OutputSymlinks = append(r.OutputSymlinks, &repb.OutputSymlink{Path: "link", Target: "/etc/passwd"})
		},
		// A worker's account of its lookups that cannot be read, or two.
		"malformed account": func(r *repb.ActionResult) {
			r.ExecutionMetadata = &repb.ExecutedActionMetadata{
				AuxiliaryMetadata: []*anypb.Any{{TypeUrl: accountmeta.Type, Value: []byte("not deflate")}}}
		},
		"two accounts": func(r *repb.ActionResult) {
			r.ExecutionMetadata = &repb.ExecutedActionMetadata{
				AuxiliaryMetadata: []*anypb.Any{accountmeta.Any(lookups.Account{}), accountmeta.Any(lookups.Account{})}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t)
			p := newProject(t, srv.addr)
			p.write("hello.cpp", helloSrc)
			p.fill(compileHello...)
			srv.faults.setUnary(methodGetAR, func(resp any, err error) (any, error) {
				if r, ok := resp.(*repb.ActionResult); ok {
					r = proto.Clone(r).(*repb.ActionResult)
					lie(r)
					return r, err
				}
				return resp, err
			})
			assertFallback(t, p)
			if _, err := os.Stat(filepath.Join(filepath.Dir(p.dir), "escape.o")); err == nil {
				t.Fatal("a file was written outside the build directory")
			}
			if _, err := os.Lstat(filepath.Join(p.dir, "link")); err == nil {
				t.Fatal("an escaping symlink was written")
			}
		})
	}
}

// executeFails answers Execute with err, or with a done Operation whose
// ExecuteResponse carries a non-OK status when err is nil.
func executeFails(err error, delay time.Duration) func(any, grpc.ServerStream) error {
	return func(_ any, ss grpc.ServerStream) error {
		select {
		case <-time.After(delay):
		case <-ss.Context().Done():
			return ss.Context().Err()
		}
		if err != nil {
			return err
		}
		resp, _ := anypb.New(&repb.ExecuteResponse{Status: &spb.Status{Code: int32(codes.Internal), Message: "worker exploded"}})
		return ss.SendMsg(&longrunningpb.Operation{Name: "operations/x", Done: true,
			Result: &longrunningpb.Operation_Response{Response: resp}})
	}
}

func TestExecuteFailuresFallBack(t *testing.T) {
	for name, handler := range map[string]func(any, grpc.ServerStream) error{
		"unavailable":        executeFails(status.Error(codes.Unavailable, "going away"), 0),
		"resource exhausted": executeFails(status.Error(codes.ResourceExhausted, "queue full"), 0),
		"non-OK status":      executeFails(nil, 0),
		"deadline exceeded":  executeFails(nil, time.Hour),
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t)
			p := newProject(t, srv.addr)
			p.cfg.Client.ExecuteTimeout = 500 * time.Millisecond
			p.write("hello.cpp", helloSrc)
			srv.faults.setStream(methodExecute, handler)
			assertFallback(t, p)
		})
	}
}

func TestServerKilledMidExecuteFallsBack(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	started := make(chan struct{}, 1)
	srv.faults.setStream(methodExecute, func(_ any, ss grpc.ServerStream) error {
		started <- struct{}{}
		<-ss.Context().Done()
		return ss.Context().Err()
	})
	go func() {
		<-started
		srv.grpc.Stop()
	}()
	assertFallback(t, p)
}

func TestBLAKE3RemoteExecutionAndHit(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.cfg.Client.DigestFunction = digest.BLAKE3
	p.write("hello.cpp", helloSrc)
	want := localCompile(t, p.dir, []string{"g++", "-c", "hello.cpp", "-o", "x.o"})
	for _, outcome := range []stats.Outcome{stats.RemoteExecution, stats.CacheHit} {
		r := p.run("g++", "-c", "hello.cpp", "-o", "x.o")
		if r.Outcome != outcome {
			t.Fatalf("outcome %v (%v), want %v", r.Outcome, r.Reason, outcome)
		}
		if got := collect(t, p.dir, nil); !bytes.Equal(got.obj, want.obj) {
			t.Fatalf("%v: object differs from the local compile", outcome)
		}
	}
}

// A server that keeps a result whose output blob is gone gives a miss: rex
// runs the action again (skipping the server's cache) rather than failing.
func TestHitWithEvictedOutputRunsAgain(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	if r := p.run(compileHello...); r.Outcome != stats.RemoteExecution {
		t.Fatalf("first compile: %v (%v)", r.Outcome, r.Reason)
	}
	want, _ := os.ReadFile(filepath.Join(p.dir, "hello.o"))
	os.Remove(filepath.Join(p.dir, "hello.o"))
	withoutInline(srv)
	var once sync.Once
	srv.faults.setUnary(methodReadBlob, func(resp any, err error) (any, error) {
		lost := false
		once.Do(func() { lost = true })
		if lost {
			return nil, status.Error(codes.NotFound, "evicted")
		}
		return resp, err
	})
	r := p.run(compileHello...)
	if r.Outcome != stats.RemoteExecution {
		t.Fatalf("outcome %v (%v), want a remote execution", r.Outcome, r.Reason)
	}
	if got, _ := os.ReadFile(filepath.Join(p.dir, "hello.o")); !bytes.Equal(got, want) {
		t.Fatal("object differs")
	}
}

// A refused credential falls back at once and says so in plain words.
func TestRefusedCredentialsFallBack(t *testing.T) {
	for name, code := range map[string]codes.Code{"unauthenticated": codes.Unauthenticated, "permission denied": codes.PermissionDenied} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t)
			p := newProject(t, srv.addr)
			p.write("hello.cpp", helloSrc)
			srv.faults.setUnary(methodGetAR, func(any, error) (any, error) {
				return nil, status.Error(code, "no")
			})
			r := p.run(compileHello...)
			if r.Outcome != stats.LocalFallback || !r.RunLocal {
				t.Fatalf("outcome %v (%v), want a local fallback", r.Outcome, r.Reason)
			}
			if !strings.Contains(fmt.Sprint(r.Reason), "the server refused rex's credentials: ") || status.Code(r.Reason) != code {
				t.Errorf("reason %q (code %v), want it to name the refused credentials and keep %v", r.Reason, status.Code(r.Reason), code)
			}
		})
	}
}

package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// plantWrongObject puts in the server's cache, under the action digest rex
// computes for argv, a result whose output obj differs from the true one at
// byte off. It returns the planted bytes.
func plantWrongObject(t *testing.T, p *project, argv []string, obj string, off int) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, p.cfg.Client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fn, err := c.Function(ctx)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := compiler.Parse(argv, p.dir)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := toolchain.Load(ctx, p.cfg.StateDir, argv[0], p.dir, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	plan, err := planAction(ctx, p.cfg, Invocation{Argv: argv, Dir: p.dir, Env: os.Environ()}, parsed, tc, fn, nil)
	if err != nil {
		t.Fatal(err)
	}
	ar, err := c.GetActionResult(ctx, plan.actionDigest, nil)
	if err != nil || ar == nil {
		t.Fatalf("GetActionResult %s: %v, %v", plan.actionDigest, ar, err)
	}
	ar = proto.Clone(ar).(*repb.ActionResult)
	var wrong []byte
	for _, f := range ar.OutputFiles {
		if f.Path != obj {
			continue
		}
		good, err := c.ReadBlob(ctx, mustDigest(t, f.Digest))
		if err != nil || len(good) <= off {
			t.Fatalf("read the true %s: %d bytes, %v", obj, len(good), err)
		}
		wrong = bytes.Clone(good)
		wrong[off] ^= 0xff
		d := fn.FromBytes(wrong)
		if err := c.Upload(ctx, []client.Blob{{Digest: d, Data: wrong}}); err != nil {
			t.Fatal(err)
		}
		f.Digest = d.Proto()
	}
	if wrong == nil {
		t.Fatalf("the cached result has no %s", obj)
	}
	if err := c.UpdateActionResult(ctx, plan.actionDigest, ar); err != nil {
		t.Fatal(err)
	}
	return wrong
}

// A wrong result planted in the cache is what a key too weak to tell two
// compiles apart would serve. Without verification it is served; with it,
// the difference is caught and the local object is what the build gets.
func TestVerifyCatchesWrongCachedObject(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	p.fill(compileHello...)
	local, _ := os.ReadFile(filepath.Join(p.dir, "hello.o"))
	wrong := plantWrongObject(t, p, compileHello, "hello.o", 100)

	os.Remove(filepath.Join(p.dir, "hello.o"))
	if r := p.run(compileHello...); r.Outcome != stats.CacheHit || r.Verified {
		t.Fatalf("unverified: %v (%v), verified %v; want a plain cache hit", r.Outcome, r.Reason, r.Verified)
	}
	if got, _ := os.ReadFile(filepath.Join(p.dir, "hello.o")); !bytes.Equal(got, wrong) {
		t.Fatal("the planted object was not served without verification: the test plants nothing")
	}

	p.cfg.VerifyRate = 1
	os.Remove(filepath.Join(p.dir, "hello.o"))
	r := p.run(compileHello...)
	if r.Outcome != stats.CacheHit || !r.Verified || r.RunLocal {
		t.Fatalf("verified: %v (%v), verified %v; want a verified cache hit", r.Outcome, r.Reason, r.Verified)
	}
	want := fmt.Sprintf("hello.o: remote %d bytes, local %d bytes, first difference at byte 100", len(wrong), len(local))
	if r.Mismatch != want {
		t.Errorf("mismatch %q, want %q", r.Mismatch, want)
	}
	if r.Action == "" {
		t.Error("the result names no action digest for the log")
	}
	if got, _ := os.ReadFile(filepath.Join(p.dir, "hello.o")); !bytes.Equal(got, local) {
		t.Error("the object on disk is not the local compile's")
	}
}

// Verified remote executions and hits of a compile with absolute paths, -g
// and a dep file match the local compile: the comparison is made after
// rex's own path rewriting, so a correct result is never a mismatch.
func TestVerifyCorrectResultsMatch(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.cfg.VerifyRate = 1
	argv := checkout(t, p)
	want := localCompile(t, p.dir+"/build", argv)
	for _, outcome := range []stats.Outcome{stats.RemoteExecution, stats.CacheHit} {
		saved := p.dir
		p.dir += "/build"
		r := p.run(argv...)
		p.dir = saved
		if r.Outcome != outcome || !r.Verified {
			t.Fatalf("outcome %v (%v), verified %v; want a verified %v", r.Outcome, r.Reason, r.Verified, outcome)
		}
		if r.Mismatch != "" {
			t.Errorf("%v: mismatch on a correct result: %s", outcome, r.Mismatch)
		}
		same(t, outcome.String(), collect(t, p.dir+"/build", r.Stderr), want)
	}
}

// A remote compile error is verified like a success: exit code and stderr.
func TestVerifyComparesFailures(t *testing.T) {
	srv := startServerWith(t, 1)
	p := newProject(t, srv.addr)
	p.cfg.VerifyRate = 1
	p.write("bad.cpp", "int f() { return 1 }\n")
	r := p.run("g++", "-c", "bad.cpp", "-o", "bad.o")
	if r.Outcome != stats.RemoteExecution || !r.Verified || r.ExitCode != 1 {
		t.Fatalf("outcome %v (%v), verified %v, exit %d; want a verified failed remote execution", r.Outcome, r.Reason, r.Verified, r.ExitCode)
	}
	if r.Mismatch != "" || !strings.Contains(string(r.Stderr), "error") {
		t.Errorf("mismatch %q, stderr %q", r.Mismatch, r.Stderr)
	}
}

// Under verification a lying server's extra outputs are never written, and
// they count as a difference.
func TestVerifyReportsUndeclaredOutputs(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.write("hello.cpp", helloSrc)
	p.fill(compileHello...)
	srv.faults.setUnary(methodGetAR, func(resp any, err error) (any, error) {
		if r, ok := resp.(*repb.ActionResult); ok {
			r = proto.Clone(r).(*repb.ActionResult)
			r.OutputFiles = append(r.OutputFiles, &repb.OutputFile{Path: "../escape.o", Digest: r.OutputFiles[0].Digest})
			return r, err
		}
		return resp, err
	})
	p.cfg.VerifyRate = 1
	r := p.run(compileHello...)
	if r.Outcome != stats.CacheHit || !r.Verified || !strings.Contains(r.Mismatch, `undeclared remote outputs ["../escape.o"]`) {
		t.Fatalf("outcome %v (%v), verified %v, mismatch %q; want the undeclared output reported", r.Outcome, r.Reason, r.Verified, r.Mismatch)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(p.dir), "escape.o")); err == nil {
		t.Fatal("a file was written outside the build directory")
	}
}

func mustDigest(t *testing.T, d *repb.Digest) digest.Digest {
	t.Helper()
	dd, err := digest.FromProto(d)
	if err != nil {
		t.Fatal(err)
	}
	return dd
}

func TestFirstDifference(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"abc", "abd", 2}, {"ab", "abc", 2}, {"", "x", 0}, {"xbc", "abc", 0}} {
		if got := firstDifference([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("firstDifference(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if !sameRule([]byte("x.o: a.h \\\n b.h\n"), []byte("x.o: a.h b.h\n")) || sameRule([]byte("x.o: a.h\n"), []byte("x.o: b.h\n")) {
		t.Error("sameRule should ignore line wrapping only")
	}
}

func TestSampled(t *testing.T) {
	count := func(rate float64) (n int) {
		for i := 0; i < 1000; i++ {
			if sampled(rate) {
				n++
			}
		}
		return n
	}
	if n := count(0); n != 0 {
		t.Errorf("rate 0 verified %d of 1000", n)
	}
	if n := count(1); n != 1000 {
		t.Errorf("rate 1 verified %d of 1000", n)
	}
	// The chance that 1000 fair draws all land on one side is 2^-999.
	if n := count(0.5); n == 0 || n == 1000 {
		t.Errorf("rate 0.5 verified %d of 1000", n)
	}
}

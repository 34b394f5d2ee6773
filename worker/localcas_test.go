package worker

import (
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
)

// A worker given the server's store stages from it and stores its outputs
// in it without a single CAS call; what it stored reads back over gRPC. A
// jailed action's outputs are moved into the store, an unjailed one's
// copied.
func TestEmbeddedWorkerUsesTheStoreDirectly(t *testing.T) {
	t.Run("unjailed", func(t *testing.T) { testEmbedded(t, SandboxNone, 0) })
	t.Run("jailed", func(t *testing.T) {
		requireSandbox(t, JailOptions{})
		testEmbedded(t, SandboxNamespaces, 1)
	})
}

func testEmbedded(t *testing.T, mode SandboxMode, adopted int64) {
	e := newEmbeddedEnv(t, Options{Sandbox: mode})
	ad := e.upload(t, shCommand("mkdir -p out && cat in/a.h in/b.h > out/ab && echo done", "out/ab"),
		[]client.Input{{Path: "in/a.h", Data: []byte("a\n")}, {Path: "in/b.h", Data: []byte("b\n"), Executable: true}})
	before := e.calls.n.Load()
	c := e.run(t, ad, time.Minute)
	if n := e.calls.n.Load() - before; n != 0 {
		t.Errorf("the embedded worker made %d CAS calls", n)
	}
	ar := e.result(t, c)
	if got := string(e.read(t, ar.GetStdoutDigest())); got != "done\n" || ar.GetExitCode() != 0 {
		t.Fatalf("exit %d stdout %q stderr %q", ar.GetExitCode(), got, e.read(t, ar.GetStderrDigest()))
	}
	if len(ar.GetOutputFiles()) != 1 || string(e.read(t, ar.GetOutputFiles()[0].GetDigest())) != "a\nb\n" {
		t.Errorf("outputs %v", ar.GetOutputFiles())
	}
	if n := e.calls.adopted.Load(); n != adopted {
		t.Errorf("%d outputs moved into the store, want %d", n, adopted)
	}
}

package wrapper

import (
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// TestToolchainConfirmationIsBounded: once the CAS took every blob, the
// next miss leaves the toolchain's files out of its first upload, for
// confirmedTTL and for that server only; a retry sends everything.
func TestToolchainConfirmationIsBounded(t *testing.T) {
	fn := digest.SHA256
	tcFile, src := fn.FromBytes([]byte("cc1plus")), fn.FromBytes([]byte("main.c"))
	tree := &toolchain.Tree{Root: "r/1", Files: []toolchain.File{{Path: "/usr/bin/cc1plus", Digest: tcFile}}}
	cfg := Config{StateDir: t.TempDir(), Client: client.Config{Server: "grpc://a:1"}}
	clock := time.Unix(1000, 0)
	newPlan := func(cfg Config) *actionPlan {
		s := newToolchainSeen(cfg, fn, tree)
		s.now = func() time.Time { return clock }
		return &actionPlan{blobs: []client.Blob{{Digest: tcFile}, {Digest: src}}, toolchainSeen: s}
	}
	plan := newPlan(cfg)
	if got := plan.uploads(0); len(got) != 2 {
		t.Fatalf("before any confirmation: %d blobs, want both", len(got))
	}
	plan.uploaded(plan.uploads(0))
	if got := newPlan(cfg).uploads(0); len(got) != 1 || got[0].Digest != src {
		t.Errorf("after a confirmation: %v, want the source alone", got)
	}
	if got := newPlan(cfg).uploads(1); len(got) != 2 {
		t.Errorf("a retry sent %d blobs, want both", len(got))
	}
	other := cfg
	other.Client.Server = "grpc://b:1"
	if got := newPlan(other).uploads(0); len(got) != 2 {
		t.Errorf("another server: %d blobs, want both", len(got))
	}
	clock = clock.Add(confirmedTTL)
	if got := newPlan(cfg).uploads(0); len(got) != 2 {
		t.Errorf("after confirmedTTL: %d blobs, want both", len(got))
	}
}

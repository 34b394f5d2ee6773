package cas

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

func TestStatusWrapCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		want codes.Code
	}{
		{syscall.ENOSPC, codes.ResourceExhausted},
		{fmt.Errorf("write: %w", syscall.EDQUOT), codes.ResourceExhausted},
		{syscall.EIO, codes.Internal},
		{status.Error(codes.InvalidArgument, "bad"), codes.InvalidArgument},
	} {
		err := StatusWrap(c.err, "blob %s", "x")
		if status.Code(err) != c.want {
			t.Errorf("StatusWrap(%v) code %v, want %v", c.err, status.Code(err), c.want)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("StatusWrap(%v) lost its cause", c.err)
		}
	}
	if StatusWrap(nil, "x") != nil {
		t.Error("StatusWrap(nil) != nil")
	}
}

// Results count toward the bound and age out with the blobs: a result
// nobody reads is evicted by newer blobs, while one that is read stays.
func TestActionCacheResultsAreEvicted(t *testing.T) {
	blobs, ac := openDiskAC(t, t.TempDir(), 1000)
	ctx := context.Background()
	out := put(t, blobs, digest.SHA256, "tiny output")
	for _, n := range []string{"old", "kept"} {
		if err := ac.Put(ctx, actionKey(n), resultWithFile("a.o", out)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20; i++ {
		put(t, blobs, digest.SHA256, fmt.Sprintf("%0100d", i))
		if _, err := ac.Get(ctx, actionKey("kept")); err != nil {
			t.Fatalf("Get kept after %d blobs: %v", i, err)
		}
	}
	if _, err := ac.Get(ctx, actionKey("old")); status.Code(err) != codes.NotFound {
		t.Errorf("Get old: %v, want NotFound (evicted)", err)
	}
	d := rawDisk(blobs)
	if d.idx.total > 1000 {
		t.Errorf("store holds %d bytes, bound 1000", d.idx.total)
	}
}

// Results are kept per instance, on disk and after a reopen.
func TestActionCacheKeepsInstancesApart(t *testing.T) {
	dir := t.TempDir()
	blobs, ac := openDiskAC(t, dir, 0)
	ctx := context.Background()
	out := put(t, blobs, digest.SHA256, "object")
	a := ActionKey{Instance: "a", Key: actionKey("x").Key}
	b := ActionKey{Instance: "b/with/slashes", Key: a.Key}
	if err := ac.Put(ctx, a, resultWithFile("a.o", out)); err != nil {
		t.Fatal(err)
	}
	_, ac = openDiskAC(t, dir, 0)
	if _, err := ac.Get(ctx, a); err != nil {
		t.Errorf("Get under a after reopen: %v", err)
	}
	for _, k := range []ActionKey{b, {Key: a.Key}} {
		if _, err := ac.Get(ctx, k); status.Code(err) != codes.NotFound {
			t.Errorf("Get under %q: %v, want NotFound", k.Instance, err)
		}
	}
}

// Reservations count toward the bound, evicting blobs, and may not exceed
// it.
func TestDiskReserve(t *testing.T) {
	d, err := OpenDisk(t.TempDir(), DiskOptions{MaxSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	old := put(t, d.Blobs(), digest.SHA256, fmt.Sprintf("%0600d", 1))
	if err := d.Reserve(450); err != nil {
		t.Fatal(err)
	}
	if present(t, d.Blobs(), old) {
		t.Error("reserving 450 of 1000 bytes kept a 600-byte blob")
	}
	if err := d.Reserve(551); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("Reserve beyond the bound: %v, want ResourceExhausted", err)
	}
	d.Release(450)
	if err := d.Reserve(551); err != nil {
		t.Errorf("Reserve after Release: %v", err)
	}
}

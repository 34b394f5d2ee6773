package cas

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// scramble stands in for what a crash can leave of an unsynced blob: a file
// of the right size holding other bytes.
func scramble(t *testing.T, d *Disk, k Key) {
	t.Helper()
	if err := os.WriteFile(d.s.path(k), make([]byte, k.Digest.Size), 0o600); err != nil {
		t.Fatal(err)
	}
}

// After a crash (the store never closed), a blob whose content was lost is
// not served, and a cached result that references it is a miss, not a hit.
func TestDiskCrashLosesBlobsNotHits(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(dir, DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lost := put(t, d.Blobs(), digest.SHA256, "object code never synced")
	kept := put(t, d.Blobs(), digest.BLAKE3, "a header that reached the disk")
	hit := actionKey("compile")
	if err := d.ActionCache().Put(context.Background(), hit, resultWithFile("a.o", lost)); err != nil {
		t.Fatal(err)
	}
	scramble(t, d, lost) // and no Close: the process died

	r, err := OpenDisk(dir, DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, code := get(t, r.Blobs(), lost, 0); code != codes.NotFound {
		t.Errorf("blob damaged in a crash: Get = %v, want NotFound", code)
	}
	if got, _ := get(t, r.Blobs(), kept, 0); got != "a header that reached the disk" {
		t.Errorf("intact blob after a crash: %q", got)
	}
	if _, err := r.ActionCache().Get(context.Background(), hit); status.Code(err) != codes.NotFound {
		t.Errorf("result whose output a crash lost: Get = %v, want NotFound (a miss)", err)
	}
}

// A store closed cleanly is trusted at the next open, as its writes were
// synced by Close: the check after a crash is not paid on every restart.
func TestDiskCloseMakesReopenTrust(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(dir, DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := put(t, d.Blobs(), digest.SHA256, "synced at close")
	if _, err := os.Stat(filepath.Join(dir, openMarker)); err != nil {
		t.Fatalf("open store has no marker: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, openMarker)); !os.IsNotExist(err) {
		t.Fatalf("marker after Close: %v", err)
	}
	// Writes racing a shutdown still land, synced one by one.
	late := put(t, d.Blobs(), digest.SHA256, "written after close")
	if !d.s.syncEach.Load() {
		t.Error("writes after Close are not synced")
	}
	// Damage that no crash made (the content check is for crashes only)
	// shows that the clean reopen did not hash the blobs.
	scramble(t, d, k)
	r, err := OpenDisk(dir, DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !present(t, r.Blobs(), k) || !present(t, r.Blobs(), late) {
		t.Error("blobs of a cleanly closed store missing after reopen")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

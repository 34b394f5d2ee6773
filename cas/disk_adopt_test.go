package cas

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/digest"
)

func TestAdoptFileMovesItIntoTheStore(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(filepath.Join(dir, "store"), DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data := []byte("an object file\n")
	k := Key{Function: digest.SHA256, Digest: digest.SHA256.FromBytes(data)}
	out := filepath.Join(dir, "out.o")
	os.WriteFile(out, data, 0o666)
	if err := d.AdoptFile(ctx, k, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the adopted file is still at its old path: %v", err)
	}
	r, err := d.Blobs().Get(ctx, k, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != string(data) {
		t.Errorf("read back %q", got)
	}
	fi, _ := os.Stat(d.s.path(k))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("adopted blob mode %v, want 0600 like the store's own", fi.Mode())
	}
}

func TestAdoptFileRefusesWhatItCannotOwn(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(filepath.Join(dir, "store"), DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("content\n")
	k := Key{Function: digest.SHA256, Digest: digest.SHA256.FromBytes(data)}
	linked := filepath.Join(dir, "linked")
	os.WriteFile(linked, data, 0o644)
	os.Link(linked, filepath.Join(dir, "other-name"))
	short := filepath.Join(dir, "short")
	os.WriteFile(short, data[:3], 0o644)
	for _, p := range []string{linked, short} {
		if err := d.AdoptFile(context.Background(), k, p); err == nil {
			t.Errorf("adopted %s", p)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("a refused file was moved: %v", err)
		}
	}
	if onDisk(d.Blobs(), k) {
		t.Error("a refused file entered the store")
	}
}

package cas

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

func keyFor(f digest.Function, data []byte) Key {
	return Key{Function: f, Digest: f.FromBytes(data)}
}

func put(t *testing.T, s BlobStore, f digest.Function, data string) Key {
	t.Helper()
	k := keyFor(f, []byte(data))
	if err := s.Put(context.Background(), k, bytes.NewReader([]byte(data))); err != nil {
		t.Fatalf("Put %s: %v", k, err)
	}
	return k
}

func get(t *testing.T, s BlobStore, k Key, offset int64) (string, codes.Code) {
	t.Helper()
	rc, err := s.Get(context.Background(), k, offset)
	if err != nil {
		return "", status.Code(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", k, err)
	}
	return string(b), codes.OK
}

// stores runs a test against every store kind.
func stores(t *testing.T, run func(t *testing.T, s BlobStore)) {
	t.Run("memory", func(t *testing.T) { run(t, NewMemoryStore()) })
	t.Run("disk", func(t *testing.T) {
		s, err := OpenDiskStore(t.TempDir(), DiskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		run(t, s)
	})
}

func TestRoundTripAndOffset(t *testing.T) {
	stores(t, func(t *testing.T, s BlobStore) {
		k := put(t, s, digest.SHA256, "hello, world")
		if got, code := get(t, s, k, 0); code != codes.OK || got != "hello, world" {
			t.Errorf("Get = %q, %v", got, code)
		}
		if got, _ := get(t, s, k, 7); got != "world" {
			t.Errorf("Get at 7 = %q, want world", got)
		}
		if _, code := get(t, s, k, 13); code != codes.OutOfRange {
			t.Errorf("Get past the end: %v, want OutOfRange", code)
		}
		missing, err := s.FindMissing(context.Background(), []Key{k, keyFor(digest.SHA256, []byte("nope"))})
		if err != nil || len(missing) != 1 || missing[0].Digest.Size != 4 {
			t.Errorf("FindMissing = %v, %v; want only the absent blob", missing, err)
		}
	})
}

func TestPutRejectsCorruptData(t *testing.T) {
	stores(t, func(t *testing.T, s BlobStore) {
		k := keyFor(digest.SHA256, []byte("right"))
		for _, data := range []string{"wrong", "righ", "right!"} {
			err := s.Put(context.Background(), k, bytes.NewReader([]byte(data)))
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("Put %q under the digest of %q: %v, want InvalidArgument", data, "right", err)
			}
		}
		if _, code := get(t, s, k, 0); code != codes.NotFound {
			t.Errorf("corrupt blob stored: Get = %v", code)
		}
	})
}

func TestEmptyBlobAlwaysPresent(t *testing.T) {
	stores(t, func(t *testing.T, s BlobStore) {
		for _, f := range digest.Functions {
			k := Key{Function: f, Digest: f.Empty()}
			missing, err := s.FindMissing(context.Background(), []Key{k})
			if err != nil || len(missing) != 0 {
				t.Errorf("%s: empty blob missing: %v %v", f, missing, err)
			}
			if got, code := get(t, s, k, 0); code != codes.OK || got != "" {
				t.Errorf("%s: Get empty = %q %v", f, got, code)
			}
		}
	})
}

func TestFunctionsKeptApart(t *testing.T) {
	stores(t, func(t *testing.T, s BlobStore) {
		k := put(t, s, digest.SHA256, "same bytes")
		other := Key{Function: digest.BLAKE3, Digest: k.Digest}
		if _, code := get(t, s, other, 0); code != codes.NotFound {
			t.Errorf("SHA-256 blob visible as BLAKE3: %v", code)
		}
		// The SHA-256 hash is not the BLAKE3 hash of the data: refused.
		if err := s.Put(context.Background(), other, bytes.NewReader([]byte("same bytes"))); status.Code(err) != codes.InvalidArgument {
			t.Errorf("Put BLAKE3 with SHA-256 hash: %v, want InvalidArgument", err)
		}
		b := put(t, s, digest.BLAKE3, "same bytes")
		if b.Digest == k.Digest {
			t.Fatal("BLAKE3 and SHA-256 digests equal")
		}
		if got, _ := get(t, s, b, 0); got != "same bytes" {
			t.Errorf("BLAKE3 Get = %q", got)
		}
	})
}

// Keys come from other packages too: a malformed hash never becomes a path.
func TestStoresRefuseMalformedKeys(t *testing.T) {
	stores(t, func(t *testing.T, s BlobStore) {
		k := Key{Function: digest.SHA256, Digest: digest.Digest{Hash: "../../etc/passwd", Size: 1}}
		if err := s.Put(context.Background(), k, strings.NewReader("x")); status.Code(err) != codes.InvalidArgument {
			t.Errorf("Put: %v, want InvalidArgument", err)
		}
		if _, code := get(t, s, k, 0); code == codes.OK {
			t.Error("Get of a malformed key succeeded")
		}
		if m, err := s.FindMissing(context.Background(), []Key{k}); err != nil || len(m) != 1 {
			t.Errorf("FindMissing = %v, %v", m, err)
		}
	})
}

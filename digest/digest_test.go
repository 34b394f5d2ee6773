package digest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
)

// Known digests of the empty blob and "hello".
const (
	sha256Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	blake3Empty = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
	sha256Hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	blake3Hello = "ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f"
)

func TestKnownDigests(t *testing.T) {
	for _, tc := range []struct {
		f    Function
		data string
		want string
	}{
		{SHA256, "", sha256Empty},
		{BLAKE3, "", blake3Empty},
		{SHA256, "hello", sha256Hello},
		{BLAKE3, "hello", blake3Hello},
	} {
		got := tc.f.FromBytes([]byte(tc.data))
		if got.Hash != tc.want || got.Size != int64(len(tc.data)) {
			t.Errorf("%s(%q) = %v, want %s/%d", tc.f, tc.data, got, tc.want, len(tc.data))
		}
		r, err := tc.f.FromReader(strings.NewReader(tc.data))
		if err != nil || r != got {
			t.Errorf("%s FromReader = %v, %v; want %v", tc.f, r, err, got)
		}
	}
	if SHA256.Empty().Hash != sha256Empty || BLAKE3.Empty().Hash != blake3Empty {
		t.Error("Empty() disagrees with known empty digests")
	}
}

func TestFromFileAndMessage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("hello"), 0o644)
	d, err := SHA256.FromFile(p)
	if err != nil || d.Hash != sha256Hello {
		t.Fatalf("FromFile = %v, %v", d, err)
	}
	if _, err := SHA256.FromFile(p + ".missing"); err == nil {
		t.Error("FromFile of a missing file succeeded")
	}
	m := &repb.Command{Arguments: []string{"g++", "-c", "a.cc"}}
	d1, b, err := BLAKE3.FromMessage(m)
	if err != nil || d1 != BLAKE3.FromBytes(b) {
		t.Fatalf("FromMessage = %v, %v", d1, err)
	}
	d2, _, _ := BLAKE3.FromMessage(m)
	if d1 != d2 {
		t.Error("FromMessage is not deterministic")
	}
}

func TestParseAndProto(t *testing.T) {
	d, err := Parse(sha256Hello + "/5")
	if err != nil || d.Size != 5 || d.String() != sha256Hello+"/5" {
		t.Fatalf("Parse = %v, %v", d, err)
	}
	back, err := FromProto(d.Proto())
	if err != nil || back != d {
		t.Fatalf("FromProto(Proto()) = %v, %v", back, err)
	}
	for _, bad := range []string{"", "abc/1", sha256Hello, sha256Hello + "/-1", sha256Hello + "/x",
		strings.ToUpper(sha256Hello) + "/5", sha256Hello[:63] + "g/5"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	if _, err := FromProto(nil); err == nil {
		t.Error("FromProto(nil) succeeded")
	}
}

func TestFunctions(t *testing.T) {
	if f, err := FunctionFromProto(repb.DigestFunction_UNKNOWN); err != nil || f != SHA256 {
		t.Errorf("UNKNOWN -> %v, %v; want sha256", f, err)
	}
	if _, err := FunctionFromProto(repb.DigestFunction_MD5); err == nil {
		t.Error("MD5 accepted")
	}
	if f, _ := FunctionFromName("blake3"); f != BLAKE3 || f.Name() != "blake3" {
		t.Errorf("FunctionFromName(blake3) = %v", f)
	}
	var zero Function
	if zero.IsValid() || !SHA256.IsValid() {
		t.Error("IsValid wrong")
	}
}

func TestVerifier(t *testing.T) {
	want := SHA256.FromBytes([]byte("hello"))
	v := SHA256.NewVerifier(want)
	v.Write([]byte("hel"))
	v.Write([]byte("lo"))
	if err := v.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	v = SHA256.NewVerifier(want)
	v.Write([]byte("hellO"))
	if err := v.Check(); err == nil {
		t.Error("Check accepted wrong content")
	}
	v = SHA256.NewVerifier(want)
	v.Write([]byte("hell"))
	if err := v.Check(); err == nil {
		t.Error("Check accepted short content")
	}
}

// TestPooledHashersStartClean: hashers and buffers are reused across
// calls and goroutines; every digest must still be of its own data alone.
func TestPooledHashersStartClean(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{0, 1, 64 << 10, 64<<10 + 1, 300 << 10}
	var wg sync.WaitGroup
	for _, f := range Functions {
		for i, size := range sizes {
			data := bytes.Repeat([]byte{byte('a' + i)}, size)
			path := filepath.Join(dir, fmt.Sprintf("%s-%d", f, size))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			h := f.NewHash()
			h.Write(data)
			want := hexOf(h.Sum(nil))
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d, err := f.FromFile(path)
					if err != nil || d.Hash != want || d.Size != int64(size) || f.FromBytes(data) != d {
						t.Errorf("%s of %d bytes: %v %v", f, size, d, err)
					}
				}()
			}
		}
	}
	wg.Wait()
}

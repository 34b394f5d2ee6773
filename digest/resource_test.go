package digest

import "testing"

func TestResourceNames(t *testing.T) {
	d := Digest{Hash: sha256Hello, Size: 5}
	for _, tc := range []struct {
		instance, compressor string
		f                    Function
		read, write          string
	}{
		{"", "", SHA256, "blobs/" + sha256Hello + "/5", "uploads/u1/blobs/" + sha256Hello + "/5"},
		{"main", "", BLAKE3, "main/blobs/blake3/" + sha256Hello + "/5", "main/uploads/u1/blobs/blake3/" + sha256Hello + "/5"},
		{"a/b", "zstd", SHA256, "a/b/compressed-blobs/zstd/" + sha256Hello + "/5", "a/b/uploads/u1/compressed-blobs/zstd/" + sha256Hello + "/5"},
	} {
		if got := ReadName(tc.instance, tc.f, d, tc.compressor); got != tc.read {
			t.Errorf("ReadName = %q, want %q", got, tc.read)
		}
		if got := WriteName(tc.instance, "u1", tc.f, d, tc.compressor); got != tc.write {
			t.Errorf("WriteName = %q, want %q", got, tc.write)
		}
		want := Resource{Instance: tc.instance, Function: tc.f, Digest: d, Compressor: tc.compressor}
		if r, err := ParseReadName(tc.read); err != nil || r != want {
			t.Errorf("ParseReadName(%q) = %+v, %v; want %+v", tc.read, r, err, want)
		}
		want.UUID = "u1"
		if r, err := ParseWriteName(tc.write); err != nil || r != want {
			t.Errorf("ParseWriteName(%q) = %+v, %v; want %+v", tc.write, r, err, want)
		}
	}
}

func TestResourceNamesLenient(t *testing.T) {
	// An explicit sha256 segment and trailing metadata are accepted.
	r, err := ParseReadName("blobs/sha256/" + sha256Hello + "/5/extra/meta")
	if err != nil || r.Function != SHA256 || r.Digest.Size != 5 {
		t.Errorf("ParseReadName = %+v, %v", r, err)
	}
}

func TestResourceNamesBad(t *testing.T) {
	for _, name := range []string{
		"", "blobs", "blobs/" + sha256Hello, "blobs/" + sha256Hello + "/x",
		"blobs/nothex/5", "compressed-blobs/gzip/" + sha256Hello + "/5",
		"uploads/u1/" + sha256Hello + "/5", "inst/actions/" + sha256Hello + "/5",
	} {
		if _, err := ParseReadName(name); err == nil {
			t.Errorf("ParseReadName(%q) succeeded", name)
		}
	}
	for _, name := range []string{"", "uploads", "uploads/u1", "uploads/u1/", "uploads/u1/x/" + sha256Hello + "/5", "uploads//blobs/" + sha256Hello + "/5", "blobs/" + sha256Hello + "/5"} {
		if _, err := ParseWriteName(name); err == nil {
			t.Errorf("ParseWriteName(%q) succeeded", name)
		}
	}
}

func FuzzParseResourceName(f *testing.F) {
	f.Add("main/blobs/blake3/" + sha256Hello + "/5")
	f.Add("uploads/u/compressed-blobs/zstd/" + sha256Hello + "/5")
	f.Fuzz(func(t *testing.T, name string) {
		if r, err := ParseReadName(name); err == nil {
			again, err := ParseReadName(ReadName(r.Instance, r.Function, r.Digest, r.Compressor))
			if err != nil || again != r {
				t.Fatalf("round trip of %q: %+v, %v", name, again, err)
			}
		}
		if r, err := ParseWriteName(name); err == nil && r.UUID == "" {
			t.Fatalf("write name %q parsed without uuid", name)
		}
	})
}

package endpoint

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadToken(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "tok")
	os.WriteFile(good, []byte("  abc123 \nignored\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	for _, tc := range []struct {
		token, file, want string
		bad               bool
	}{
		{"", "", "", false},
		{"direct", "", "direct", false},
		{"", good, "abc123", false},
		{"direct", good, "", true},
		{"", empty, "", true},
		{"", filepath.Join(dir, "missing"), "", true},
	} {
		got, err := ReadToken(tc.token, tc.file)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ReadToken(%q, %q) = %q, %v; want %q, error %v", tc.token, tc.file, got, err, tc.want, tc.bad)
		}
	}
}

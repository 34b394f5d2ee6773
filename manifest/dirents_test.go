package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEntriesAmong: of the names wanted, those a directory holds, read
// over several buffers of raw entries.
func TestEntriesAmong(t *testing.T) {
	dir := t.TempDir()
	want := map[string]bool{}
	wanted := map[string]bool{"absent.h": true, "": true, ".": true, "..": true}
	for i := range 3000 {
		name := fmt.Sprintf("%s-%d.h", strings.Repeat("n", i%40), i) // 32 KiB of entries and more
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			wanted[name], want[name] = true, true
		}
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	wanted["sub"], want["sub"] = true, true
	got, listed := entriesAmong(dir, wanted)
	if !listed {
		t.Fatal("not listed")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entriesAmong (-want +got):\n%s", diff)
	}
	for _, missing := range []string{filepath.Join(dir, "none"), filepath.Join(dir, "sub", "x", "y")} {
		if got, listed := entriesAmong(missing, wanted); !listed || len(got) != 0 {
			t.Errorf("%s: %v, listed %v; want none, listed", missing, got, listed)
		}
	}
}

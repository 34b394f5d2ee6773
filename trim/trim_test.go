package trim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDirRemovesTheOldestUntilWellUnder: ten files of 100 bytes against a
// bound of 500: the seven oldest go (leaving 300, within three quarters
// of the bound, 375), the newest stay, and a subdirectory is left alone.
func TestDirRemovesTheOldestUntilWellUnder(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	for i := 0; i < 10; i++ {
		p := filepath.Join(dir, string(rune('a'+i)))
		os.WriteFile(p, []byte(strings.Repeat("x", 100)), 0o644)
		at := base.Add(time.Duration(i) * time.Minute)
		os.Chtimes(p, at, at)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	Dir(dir, 500)
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if got := strings.Join(left, " "); got != "h i j sub" {
		t.Fatalf("left %q, want the three newest files and the subdirectory", got)
	}
}

func TestDirUnderTheBoundKeepsAll(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a", "b"} {
		os.WriteFile(filepath.Join(dir, n), []byte("12345"), 0o644)
	}
	Dir(dir, 10)
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d files left, want 2", len(entries))
	}
	Dir(filepath.Join(dir, "missing"), 10) // no directory: nothing to do
}

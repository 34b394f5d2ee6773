package wrapper

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/digest"
)

// TestDirectiveCacheRefusesAChangedLine: a byte the disk changed in a
// kept entry would name another probe than the file makes, and the key
// would miss the one it does. The entry is read from the file again.
func TestDirectiveCacheRefusesAChangedLine(t *testing.T) {
	state := t.TempDir()
	h := filepath.Join(t.TempDir(), "a.h")
	content := []byte("#if __has_include(\"xx.h\")\n#endif\n")
	os.WriteFile(h, content, 0o644)
	d := digest.BLAKE3.FromBytes(content)
	probe := func(c *directiveCache) string {
		t.Helper()
		dirs, err := c.directives(h, digest.BLAKE3, d)
		if err != nil || len(dirs.Probes) != 1 {
			t.Fatalf("directives: %+v, %v", dirs, err)
		}
		return dirs.Probes[0].Name
	}
	c := loadDirectiveCache(state)
	probe(c)
	c.save()
	path := filepath.Join(state, "directives")
	kept, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(kept, []byte("xx.h")) {
		t.Fatalf("kept %q, %v", kept, err)
	}
	os.WriteFile(path, bytes.Replace(kept, []byte("xx.h"), []byte("yy.h"), 1), 0o644)
	if got := probe(loadDirectiveCache(state)); got != "xx.h" {
		t.Fatalf("a changed entry was used: the file probes %q", got)
	}
}

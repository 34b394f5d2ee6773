package wrapper

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/digest"
)

// TestOrFiles: where the scan lists no macros, a file's #define, an
// argument's word or a name compilers predefine makes an identifier a
// macro; where it lists them, its answer stands.
func TestOrFiles(t *testing.T) {
	dir := t.TempDir()
	var files []inputFile
	for name, text := range map[string]string{"a.h": "#if 0\n#define tbb other\n#endif\n", "b.h": "int h;\n"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		sum, err := digest.SHA256.FromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, inputFile{path, sum, digest.SHA256})
	}
	unlisted := func([]string) (map[string]bool, bool) { return nil, false }
	listed := func([]string) (map[string]bool, bool) { return map[string]bool{"sys": true}, true }
	names := []string{"tbb", "h", "linux", "sys"}
	for _, c := range []struct {
		name    string
		defined macrosDefined
		args    []string
		want    map[string]bool
	}{
		{"a file's #define, a predefined name", unlisted, nil, map[string]bool{"tbb": true, "linux": true}},
		{"and an argument's word", nil, []string{"-Dh=1"}, map[string]bool{"tbb": true, "h": true, "linux": true}},
		{"the scan's list", listed, []string{"-Dh=1"}, map[string]bool{"sys": true}},
		{"no definitions", unlisted, []string{"-c", "h.c", "-o", "sys.o", "-include", "h.h"}, map[string]bool{"tbb": true, "linux": true}},
		{"definitions", unlisted, []string{"-D", "X", "-Xpreprocessor", "-Dsys", "-Wp,-DY,-Dh"}, map[string]bool{"tbb": true, "h": true, "linux": true, "sys": true}},
	} {
		got, ok := orFiles(c.defined, files, c.args, loadDirectiveCache(""))(names)
		if !ok {
			t.Errorf("%s: no answer", c.name)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", c.name, diff)
		}
	}
}

package behaviour

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnreadableSettingCompilesLocally: a rex setting that rex cannot read
// (a flag's value in the environment, as a new user might spell it) breaks
// no build: the compiler runs as if rex were not there, its object, streams
// and status the plain compile's, and one line says which setting and why.
func TestUnreadableSettingCompilesLocally(t *testing.T) {
	for _, setting := range []string{"REX_VERBOSE=2", "REX_DIRECT=yes", "REX_LOCAL_CACHE_SIZE=lots", "REX_DIGEST_FUNCTION=md5"} {
		t.Run(setting, func(t *testing.T) {
			files := cFiles()
			files["bad.c"] = "int f(void) { return }\n"
			tr := newTree(t, "none", files)
			tr.env = append(tr.env, setting)
			name := setting[:strings.IndexByte(setting, '=')]
			for _, src := range []string{"a.c", "bad.c"} {
				for _, o := range []string{"local.o", "rex.o"} {
					os.Remove(filepath.Join(tr.dir, o))
				}
				local := tr.run("gcc", "-c", src, "-o", "local.o")
				want, wantErr := os.ReadFile(filepath.Join(tr.dir, "local.o"))
				r := tr.rex("gcc", "-c", src, "-o", "rex.o")
				got, gotErr := os.ReadFile(filepath.Join(tr.dir, "rex.o"))
				if r.exit != local.exit || !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) || r.stdout != local.stdout {
					t.Fatalf("%s: rex exit %d, %d bytes (%v); local exit %d, %d bytes (%v)", src, r.exit, len(got), gotErr, local.exit, len(want), wantErr)
				}
				rexLine, rest, _ := strings.Cut(r.stderr, "\n")
				if !strings.HasPrefix(rexLine, "rex: ") || !strings.Contains(rexLine, name) || !strings.HasSuffix(rexLine, "compiling locally") ||
					rest != strings.ReplaceAll(local.stderr, "local.o", "rex.o") {
					t.Errorf("%s: stderr %q, want one line naming %s, then the compiler's %q", src, r.stderr, name, local.stderr)
				}
			}
		})
	}
}

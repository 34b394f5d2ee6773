package wrapper

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/digest"
)

// `rex plan` predicts a local run where the compile would run locally: a
// dependency file that is a link, a working directory spelled unclean;
// but an output directory the build has not made yet is no reason.
func TestPredictRunsLocallyWhatRunDoes(t *testing.T) {
	p := newProject(t, "")
	p.write("a.c", "int a;\n")
	p.write("other", "x\n")
	predict := func(dir string, argv ...string) error {
		return Predict(context.Background(), p.cfg, Invocation{Argv: argv, Dir: dir, Env: os.Environ()}, digest.SHA256).Local
	}
	if err := predict(p.dir, "gcc", "-MD", "-MF", "a.d", "-c", "a.c", "-o", "a.o"); err != nil {
		t.Fatalf("a plain compile: local: %v", err)
	}
	if err := predict(p.dir, "gcc", "-c", "a.c", "-o", "obj/a.o"); err != nil && strings.Contains(err.Error(), "does not exist") {
		t.Errorf("an output directory the build makes later: %v", err)
	}
	os.Symlink("other", filepath.Join(p.dir, "a.d"))
	if err := predict(p.dir, "gcc", "-MD", "-MF", "a.d", "-c", "a.c", "-o", "a.o"); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("a dependency file that is a symlink: %v, want a local run", err)
	}
	if err := predict(p.dir+"/.", "gcc", "-c", "a.c", "-o", "b.o"); err == nil || !strings.Contains(err.Error(), "spelled clean") {
		t.Errorf("an unclean working directory: %v, want a local run", err)
	}
}

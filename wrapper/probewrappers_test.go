package wrapper

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMacroDefinitions: only the arguments that define macros count, each
// -D's name a word of its own.
func TestMacroDefinitions(t *testing.T) {
	args := []string{"-c", "h.c", "-o", "sys.o", "-include", "h.h", "-D", "X", "-Xpreprocessor", "-Dsys",
		"-Wp,-DY,-Dh", "-Dlinux=1", "--define-macro=m"}
	want := []string{"X", "-D sys", "-D sys", "-Wp,-D Y,-D h", "-D linux=1", "--define-macro=m"}
	if diff := cmp.Diff(want, macroDefinitions(args)); diff != "" {
		t.Errorf("macroDefinitions (-want +got):\n%s", diff)
	}
}

// TestCheckExpansions: an identifier the compile defined, or macros that
// cannot be listed, keep the compile local; none defined lets it go on.
func TestCheckExpansions(t *testing.T) {
	listed := func([]string) (map[string]bool, error) { return map[string]bool{"linux": true}, nil }
	failed := func([]string) (map[string]bool, error) { return nil, errors.New("clang exited 1") }
	for _, c := range []struct {
		name    string
		idents  []string
		defined macrosDefined
		want    string
	}{
		{"no identifiers", nil, nil, ""},
		{"none defined", []string{"sys", "fcntl"}, listed, ""},
		{"one defined", []string{"sys", "linux"}, listed, "the macro linux"},
		{"no listing", []string{"sys"}, nil, "nothing lists"},
		{"a failed listing", []string{"sys"}, failed, "clang exited 1"},
	} {
		err := checkExpansions(c.idents, c.defined)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: checkExpansions = %v, want an error with %q", c.name, err, c.want)
		}
	}
}

package rex_test

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rex starts once per compile: scripts/build, which every script and the
// integration tests use, must give a static binary (no dynamic loader at
// start-up) without urfave/cli's markdown package (its init runs on every
// start).
func TestBuiltRexStartsLean(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	dir := t.TempDir()
	if out, err := exec.Command("scripts/build", dir).CombinedOutput(); err != nil {
		t.Fatalf("scripts/build: %v\n%s", err, out)
	}
	f, err := elf.Open(filepath.Join(dir, "rex"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bin/rex is dynamically linked (it has an ELF interpreter)")
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if strings.HasPrefix(s.Name, "github.com/russross/blackfriday") {
			t.Fatalf("bin/rex links %s: built without urfave_cli_no_docs", s.Name)
		}
	}
}

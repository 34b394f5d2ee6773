package rex_test

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rex starts once per compile: scripts/build, which every script and the
// integration tests use, must give static binaries (no dynamic loader at
// start-up); rex-client without urfave/cli's markdown package (its init
// runs on every start), and rex, the front end that serves local hits,
// without gRPC, protobuf, urfave/cli and the BLAKE3 package's CPU probe.
func TestBuiltRexStartsLean(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	dir := t.TempDir()
	if out, err := exec.Command("scripts/build", dir).CombinedOutput(); err != nil {
		t.Fatalf("scripts/build: %v\n%s", err, out)
	}
	checkBinary(t, filepath.Join(dir, "rex"), "google.golang.org/grpc", "google.golang.org/protobuf",
		"github.com/urfave/cli", "github.com/bazelbuild/remote-apis", "github.com/klauspost/cpuid")
	checkBinary(t, filepath.Join(dir, "rex-client"), "github.com/russross/blackfriday")
}

// checkBinary fails when the binary at path is dynamically linked or has
// a symbol of one of the packages banned.
func checkBinary(t *testing.T, path string, banned ...string) {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked (it has an ELF interpreter)", path)
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		for _, b := range banned {
			if strings.HasPrefix(s.Name, b) {
				t.Fatalf("%s links %s", filepath.Base(path), s.Name)
			}
		}
	}
}

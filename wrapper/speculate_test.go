package wrapper

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/stats"
)

const speculated = "begun before the scan ended"

// TestSpeculationFromAnEarlierScan: a source scanned before is sent
// before its scan ends; the result, confirmed by the scan's action digest,
// is the local compile's, dependency file included.
func TestSpeculationFromAnEarlierScan(t *testing.T) {
	srv := startServerWith(t, 2)
	p := newProject(t, srv.addr)
	p.cfg.LocalCacheSize = 1 << 30
	p.write("h.h", "#define H 1\n")
	p.write("a.c", "#include \"h.h\"\nint v = H + V;\n")
	for round := range 3 {
		argv := []string{"gcc", fmt.Sprintf("-DV=%d", round), "-MD", "-MF", "x.d", "-c", "a.c", "-o", "x.o"}
		local := localCompile(t, p.dir, argv)
		r := p.run(argv...)
		if r.Outcome != stats.RemoteExecution {
			t.Fatalf("round %d: outcome %v (%v)", round, r.Outcome, r.Reason)
		}
		if got := strings.Contains(r.Phases, speculated); got != (round > 0) {
			t.Errorf("round %d: speculated %v (%s)", round, got, r.Phases)
		}
		same(t, fmt.Sprintf("round %d", round), collect(t, p.dir, r.Stderr), local)
	}
}

// TestSpeculationOnAStaleScan: the guess is wrong. A header created in an
// earlier -I directory shadows the one the guess names: the speculation's
// worker compiles the old header and succeeds, and that result must not be
// used. Then the header the guess names is gone: no speculation at all.
func TestSpeculationOnAStaleScan(t *testing.T) {
	srv := startServerWith(t, 2)
	p := newProject(t, srv.addr)
	p.cfg.LocalCacheSize = 1 << 30
	argv := []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "x.o"}
	p.write("b/h.h", "#define H 1\n")
	p.write("a.c", "#include <h.h>\nint v = H;\n")
	os.MkdirAll(filepath.Join(p.dir, "a"), 0o755)
	if r := p.run(argv...); r.Outcome != stats.RemoteExecution {
		t.Fatalf("first compile: %v (%v)", r.Outcome, r.Reason)
	}
	for round, change := range []func(){
		func() { p.write("a/h.h", "#define H 2\n") },
		func() {
			os.Remove(filepath.Join(p.dir, "a/h.h"))
			p.write("third.h", "#define H 3\n")
			p.write("a.c", "#include \"third.h\"\nint v = H;\n")
		},
	} {
		change()
		local := localCompile(t, p.dir, argv)
		r := p.run(argv...)
		if r.Outcome != stats.RemoteExecution || strings.Contains(r.Phases, speculated) {
			t.Errorf("round %d: outcome %v (%v), phases %s: want a remote execution from the scan", round, r.Outcome, r.Reason, r.Phases)
		}
		same(t, fmt.Sprintf("round %d", round), collect(t, p.dir, r.Stderr), local)
	}
}

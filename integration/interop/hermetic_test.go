package interop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// TestRexBuildbarnHermetic builds zlib with rex --hermetic against the
// local Buildbarn's chroot runner (chrootIntoInputRoot, chosen by the
// platform property sandbox=hermetic; see scripts/peers/buildbarn): every
// compile runs chrooted into an input root that holds the toolchain rex
// sent, every object is byte-identical to a plain local build, and a
// rebuild with a fresh REX_DIR is all hits. A compile sent there without
// --hermetic finds no compiler in its root and falls back, which shows
// the runner sees only the input root.
func TestRexBuildbarnHermetic(t *testing.T) {
	addr := buildbarn(t)
	rex := testenv.Bin(t, "rex")
	ref := localZlib(t)
	env := func(extra ...string) []string {
		return append([]string{"REX_SERVER=" + addr, "REX_DIR=" + t.TempDir(), "REX_REMOTE_PLATFORM_sandbox=hermetic"}, extra...)
	}
	defer func() {
		if t.Failed() {
			t.Logf("Buildbarn logs:\n%s", buildbarnLogs())
		}
	}()

	first := buildZlib(t, rex+" gcc", env("REX_HERMETIC=1")...)
	t.Logf("first build:  %+v", first.stats)
	if first.stats.LocalFallbacks != 0 || first.stats.RemoteExecutions+first.stats.CacheHits < 20 {
		t.Errorf("first build: want every zlib compile (>= 20) remote and no fallbacks, got %+v\n%s",
			first.stats, tail(first.log, 4000))
	}
	sameObjects(t, "hermetic build (chrooted remote execution)", ref, first.objects)

	second := buildZlib(t, rex+" gcc", env("REX_HERMETIC=1")...)
	t.Logf("second build: %+v", second.stats)
	if n := second.stats.remotable(); n == 0 || float64(second.stats.CacheHits) < 0.99*float64(n) {
		t.Errorf("hermetic rebuild with a fresh REX_DIR: %d cache hits of %d remotable compiles, want >= 99%%",
			second.stats.CacheHits, n)
	}
	sameObjects(t, "hermetic rebuild (cache hits)", ref, second.objects)

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.c"), []byte("int x(void) { return 7; }\n"), 0o644)
	e := append(cleanEnv(), env()...)
	if r := testenv.Run(t, dir, e, rex, "gcc", "-c", "x.c", "-o", "x.o"); r.Exit != 0 {
		t.Fatalf("rex gcc without --hermetic: exit %d\n%s", r.Exit, r.Stderr)
	}
	r := testenv.Run(t, dir, e, rex, "stats")
	if !strings.Contains(r.Stdout, "local fallbacks    1") {
		t.Errorf("a compile without --hermetic on the chroot runner did not fall back:\n%s", r.Stdout)
	}
}

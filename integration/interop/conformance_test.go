package interop

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// TestConformancePeers runs the conformance suite (integration/conformance,
// which on its own targets a rex-server it starts) against the third-party
// peers: Buildbarn with the full profile, bazel-remote with the cache one.
// Each peer is named so the suite applies its recorded deviations.
func TestConformancePeers(t *testing.T) {
	for _, p := range []struct {
		peer, profile string
		addr          func(t *testing.T) string
	}{
		{"buildbarn", "full", buildbarn},
		{"bazel-remote", "cache", startBazelRemote},
	} {
		t.Run(p.peer, func(t *testing.T) {
			addr := p.addr(t)
			cmd := exec.Command("go", "test", "-count=1", "-v", "-run", "TestConformance", "./integration/conformance/")
			cmd.Dir = testenv.RepoRoot()
			cmd.Env = append(cleanEnv(),
				"REX_CONFORMANCE_SERVER="+addr,
				"REX_CONFORMANCE_PEER="+p.peer,
				"REX_CONFORMANCE_PROFILE="+p.profile)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("conformance suite against %s (%s): %v\n%s", p.peer, addr, err, out)
			}
			t.Logf("conformance against %s: %d (sub)tests passed, %d skipped", p.peer,
				strings.Count(string(out), "--- PASS"), strings.Count(string(out), "--- SKIP"))
		})
	}
}

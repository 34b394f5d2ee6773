package observe

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rexbuild/rex/doctor"
	"github.com/rexbuild/rex/integration/testenv"
)

// rex doctor against a healthy server, a stopped one, one whose workers
// offer no matching platform, and one that does not serve the instance:
// each diagnosis named, and the exit status says whether there is a
// problem.
func TestDoctor(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1", "--instance-name", "main")
	tr := newTree(t, srv.Addr, nil)
	for _, tc := range []struct {
		name  string
		env   []string
		stop  bool
		exit  int
		check string // the check that must report
		level string
		says  string
	}{
		{"healthy", []string{"REX_INSTANCE=main"}, false, 0, "probe compile", "ok", "object identical"},
		{"platform", []string{"REX_INSTANCE=main", "REX_REMOTE_PLATFORM_OSFamily=plan9"}, false, 1,
			"probe compile", "problem", "no worker offers platform"},
		{"instance", []string{"REX_INSTANCE=mian"}, false, 1, "instance name", "problem", `unknown instance name "mian"`},
		{"stopped", []string{"REX_INSTANCE=main"}, true, 1, "server", "problem", "cannot reach"},
	} {
		if tc.stop {
			srv.Stop()
		}
		r := tr.rex(tc.env, "doctor", "--json")
		var fs []doctor.Finding
		if err := json.Unmarshal([]byte(r.Stdout), &fs); err != nil {
			t.Fatalf("%s: rex doctor --json printed %q: %v\n%s", tc.name, r.Stdout, err, r.Stderr)
		}
		if r.Exit != tc.exit {
			t.Errorf("%s: exit %d, want %d: %+v", tc.name, r.Exit, tc.exit, fs)
		}
		found := false
		for _, f := range fs {
			found = found || f.Check == tc.check && f.Level == tc.level && strings.Contains(f.Says, tc.says)
			if tc.level == "problem" && f.Level == "problem" && f.Fix == "" {
				t.Errorf("%s: a problem without a fix: %+v", tc.name, f)
			}
		}
		if !found {
			t.Errorf("%s: no %s %q finding saying %q: %+v", tc.name, tc.level, tc.check, tc.says, fs)
		}
		if text := tr.rex(tc.env, "doctor"); tc.exit == 0 && !strings.Contains(text.Stdout, "ok       probe compile") {
			t.Errorf("%s: rex doctor printed:\n%s", tc.name, text.Stdout)
		}
	}
}

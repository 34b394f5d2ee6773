package observe

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/doctor"
	"github.com/rexbuild/rex/integration/testenv"
)

// rex doctor names refused credentials, and passes with a token; the
// server, told --log-format json, writes every log line as a JSON object.
func TestDoctorCredentialsAndJSONLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	const token = "0123456789abcdef0123456789abcdef"
	tokens := filepath.Join(t.TempDir(), "tokens")
	os.WriteFile(tokens, []byte(token+" execute\n"), 0o600)
	srv := testenv.StartServer(t, "", "--workers", "1", "--tokens", tokens, "--log-format", "json")
	tr := newTree(t, srv.Addr, nil)
	for _, tc := range []struct {
		env  []string
		exit int
		want string
	}{
		{nil, 1, "credentials"},
		{[]string{"REX_TOKEN=not-the-token"}, 1, "credentials"},
		{[]string{"REX_TOKEN=" + token}, 0, "probe compile"},
	} {
		r := tr.rex(tc.env, "doctor", "--json")
		var fs []doctor.Finding
		json.Unmarshal([]byte(r.Stdout), &fs)
		wantLevel := map[int]string{0: "ok", 1: "problem"}[tc.exit]
		found := false
		for _, f := range fs {
			found = found || f.Check == tc.want && f.Level == wantLevel
		}
		if r.Exit != tc.exit || !found {
			t.Errorf("%v: exit %d, want %d with a %s %q finding: %s", tc.env, r.Exit, tc.exit, wantLevel, tc.want, r.Stdout)
		}
	}
	lines := strings.Split(strings.TrimSpace(srv.Log()), "\n")
	for _, line := range lines {
		var rec struct{ Time, Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Time == "" || rec.Level == "" || rec.Msg == "" {
			t.Errorf("a log line is not a slog JSON record: %q", line)
		}
	}
	if len(lines) < 2 {
		t.Errorf("rex-server logged %d lines", len(lines))
	}
}

package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTokens(t *testing.T) {
	table, err := Parse(strings.NewReader(`
# team tokens
alpha-token execute
  beta-token   execute,cache-write
worker-token worker

cert:ci-bot execute,cache-write
`))
	if err != nil {
		t.Fatal(err)
	}
	for token, want := range map[string]Roles{"alpha-token": Execute, "beta-token": Execute | CacheWrite, "worker-token": Worker} {
		if got, ok := table.lookup(token); !ok || got != want {
			t.Errorf("lookup(%q) = %v, %v; want %v", token, got, ok, want)
		}
	}
	for _, unknown := range []string{"", "alpha", "alpha-token ", "cert:ci-bot", "# team tokens"} {
		if _, ok := table.lookup(unknown); ok {
			t.Errorf("lookup(%q) found a token", unknown)
		}
	}
	if r, ok := table.certRoles("ci-bot"); !ok || r != Execute|CacheWrite {
		t.Errorf("certRoles(ci-bot) = %v, %v", r, ok)
	}
	if table.Len() != 4 {
		t.Errorf("Len = %d, want 4", table.Len())
	}
}

// Errors name the line; the token itself never reaches a log.
func TestParseTokensErrors(t *testing.T) {
	for name, text := range map[string]string{
		"no role":      "s3cret-value\n",
		"bad role":     "s3cret-value admin\n",
		"three fields": "s3cret-value execute worker\n",
		"empty role":   "s3cret-value execute,\n",
		"duplicate":    "s3cret-value execute\ns3cret-value worker\n",
	} {
		_, err := Parse(strings.NewReader(text))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%s: error %q should name the line and not the token", name, err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens")
	if _, err := LoadFile(path); err == nil {
		t.Error("a missing file loaded")
	}
	os.WriteFile(path, []byte("tok execute\n"), 0o600)
	if table, err := LoadFile(path); err != nil || table.Len() != 1 {
		t.Errorf("LoadFile = %v, %v", table, err)
	}
}

func TestParseRoles(t *testing.T) {
	if r, err := ParseRoles("worker, execute"); err != nil || r != Worker|Execute || r.String() != "execute,worker" {
		t.Errorf("ParseRoles = %v (%s), %v", r, r, err)
	}
	if _, err := ParseRoles("root"); err == nil {
		t.Error("unknown role accepted")
	}
}

package security

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/manifest"
)

// rex's own call to the action cache (a recorded compile whose result the
// local cache lacks) carries the token as rex-client's calls do: with it,
// the hit is served without rex-client; refused, it is no hit, and the
// compile goes to rex-client (here, copied alone, none: a local compile).
func TestFrontEndServerHitCarriesTheToken(t *testing.T) {
	skipShort(t)
	requireGxx(t)
	srv, _ := tokensServer(t, teamTokens, "--workers", "1")
	tokenFile := writeFile(t, t.TempDir(), "token", execToken+"\n")
	p := newProject(t, srv.Addr, "REX_TOKEN_FILE="+tokenFile, "REX_LOCAL_CACHE_SIZE=0")
	want := p.local()
	time.Sleep(manifest.RacyWindow + 100*time.Millisecond) // old enough for a direct-mode record
	if got, c := p.compile(); c.RemoteExecutions != 1 || !bytes.Equal(got, want) {
		t.Fatalf("first compile: %+v, identical %v", c, bytes.Equal(got, want))
	}
	lone := filepath.Join(t.TempDir(), "rex")
	data, err := os.ReadFile(testenv.Bin(t, "rex"))
	if err != nil || os.WriteFile(lone, data, 0o755) != nil {
		t.Fatal("copy rex:", err)
	}
	for _, tt := range []struct {
		name string
		env  []string
		hits int
	}{
		{"the token", nil, 1},
		{"a token the server refuses", []string{"REX_TOKEN_FILE=", "REX_TOKEN=not-a-team-token"}, 0},
		{"no token", []string{"REX_TOKEN_FILE="}, 0},
	} {
		p.rex("stats", "--zero")
		os.Remove(filepath.Join(p.dir, "hello.o"))
		saved := p.env
		p.env = append(append([]string{}, p.env...), tt.env...)
		p.run(lone, "g++", "-c", "hello.cpp", "-o", "hello.o")
		p.env = saved
		if got, c := p.read("hello.o"), p.stats(); c.CacheHits != tt.hits || !bytes.Equal(got, want) {
			t.Errorf("%s: %+v, identical %v; want %d cache hits", tt.name, c, bytes.Equal(got, want), tt.hits)
		}
	}
}

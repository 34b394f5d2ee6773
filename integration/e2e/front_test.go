package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/manifest"
)

// rex, the front end, serves a local direct-mode hit and a local run by
// itself, and hands everything else to rex-client beside it. Copied alone
// into a directory, it still serves the hit (which shows rex-client had
// no part in it); a miss then compiles locally, silently for a compile's
// captured stderr, and a rex command says what is missing. Through a
// symlink, rex finds rex-client beside its real path.
func TestFrontEndServesLocalHits(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: builds and runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "1")
	u := newUser(t, srv.Addr)
	u.write("hello.cpp", helloSrc)
	want := u.localObject("g++", "hello.cpp", "hello.o")
	// A source changed moments ago is too new for a direct-mode record
	// (its stat could hide a second edit): let it age, as a checkout has.
	time.Sleep(manifest.RacyWindow + 100*time.Millisecond)
	compileAs(t, u, srv, "miss", "g++", want, func(c counters) bool { return c.RemoteExecutions == 1 })

	lone := filepath.Join(t.TempDir(), "rex")
	copyFile(t, testenv.Bin(t, "rex"), lone)
	os.Remove(filepath.Join(u.dir, "hello.o"))
	if r := u.run(lone, "g++", "-c", "hello.cpp", "-o", "hello.o"); r.exit != 0 || r.stderr != "" {
		t.Fatalf("hit through rex alone: exit %d, stderr %q", r.exit, r.stderr)
	}
	if !bytes.Equal(u.read("hello.o"), want) {
		t.Fatal("the front end's hit differs from a local compile")
	}
	if c := u.stats(); c.LocalCacheHits != 1 || c.RemoteExecutions != 1 {
		t.Fatalf("after the front end's hit: %+v", c)
	}
	if r := u.run(lone, "g++", "hello.o", "-o", "hello"); r.exit != 0 {
		t.Fatalf("link through rex alone: %s", r.stderr)
	}
	if c := u.stats(); c.LocalRuns != 1 {
		t.Fatalf("the front end's link should count as a local run: %+v", c)
	}

	u.write("hello.cpp", helloSrc+"// changed\n")
	want = u.localObject("g++", "hello.cpp", "hello.o")
	if r := u.run(lone, "g++", "-c", "hello.cpp", "-o", "hello.o"); r.exit != 0 || r.stderr != "" {
		t.Fatalf("miss through rex alone: exit %d, stderr %q", r.exit, r.stderr)
	}
	if !bytes.Equal(u.read("hello.o"), want) {
		t.Fatal("a miss without rex-client differs from a local compile")
	}
	if r := u.run(lone, "stats"); r.exit == 0 || !strings.Contains(r.stderr, "rex-client is not installed beside rex") {
		t.Fatalf("rex stats without rex-client: exit %d, stderr %q", r.exit, r.stderr)
	}

	link := filepath.Join(t.TempDir(), "rex")
	if err := os.Symlink(testenv.Bin(t, "rex"), link); err != nil {
		t.Fatal(err)
	}
	if r := u.run(link, "stats", "--json"); r.exit != 0 || !strings.Contains(r.stdout, `"local_cache_hits":1,`) {
		t.Fatalf("rex stats through a symlink: exit %d, %s%s", r.exit, r.stdout, r.stderr)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

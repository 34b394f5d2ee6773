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

// With its direct-mode record and no local result (the local cache holds
// records only), rex asks the server's action cache itself and writes the
// outputs it sends inline: copied alone, with no rex-client to hand the
// compile to, it still serves the hit. The result then fills the local
// cache when that keeps results, and the next hit is local.
func TestFrontEndServesServerHits(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: builds and runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "1")
	u := newUser(t, srv.Addr)
	u.env = append(u.env, "REX_LOCAL_CACHE_SIZE=0")
	u.write("hello.cpp", helloSrc)
	want := u.localObject("g++", "hello.cpp", "hello.o")
	time.Sleep(manifest.RacyWindow + 100*time.Millisecond)
	compileAs(t, u, srv, "miss", "g++", want, func(c counters) bool { return c.RemoteExecutions == 1 })

	lone := filepath.Join(t.TempDir(), "rex")
	copyFile(t, testenv.Bin(t, "rex"), lone)
	hit := func(step string, env ...string) {
		t.Helper()
		os.Remove(filepath.Join(u.dir, "hello.o"))
		r := testenv.Run(t, u.dir, append(append([]string{}, u.env...), env...), lone, "g++", "-c", "hello.cpp", "-o", "hello.o")
		if r.Exit != 0 || r.Stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", step, r.Exit, r.Stderr)
		}
		if !bytes.Equal(u.read("hello.o"), want) {
			t.Fatalf("%s: the object differs from a local compile", step)
		}
	}
	hit("server hit")
	if c := u.stats(); c.CacheHits != 1 || c.RemoteExecutions != 1 || c.LocalCacheHits != 0 {
		t.Fatalf("after the front end's server hit: %+v", c)
	}
	// The local cache keeps results again: the server's fills it.
	hit("server hit filling the local cache", "REX_LOCAL_CACHE_SIZE=1GiB")
	hit("local hit", "REX_LOCAL_CACHE_SIZE=1GiB")
	if c := u.stats(); c.CacheHits != 2 || c.LocalCacheHits != 1 {
		t.Fatalf("after a server hit that fills the local cache, then a local hit: %+v", c)
	}
	// A server that is down leaves the compile to rex-client (here none:
	// a local compile, the same object), and counts nothing.
	srv.Stop()
	hit("server down")
	if c := u.stats(); c.CacheHits != 2 {
		t.Fatalf("with the server down: %+v", c)
	}
}

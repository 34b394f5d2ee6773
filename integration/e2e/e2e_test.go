// Package e2e drives the built rex, rex-server and rex-worker binaries the
// way a user does: real compilers, real gRPC on loopback, real files.
package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

const helloSrc = `#include <iostream>
int main() { std::cout << "hello from rex" << std::endl; return 0; }
`

const badSrc = `#include <iostream>
int main() {
    std::cout << "missing semicolon" << std::endl
    return undefined_name;
}
`

// user is one rex user: a build directory, a REX_DIR and a server.
type user struct {
	t   *testing.T
	dir string
	env []string
}

func newUser(t *testing.T, server string) *user {
	dir := t.TempDir()
	env := append(os.Environ(), "REX_SERVER="+server, "REX_DIR="+filepath.Join(t.TempDir(), "state"))
	return &user{t: t, dir: dir, env: env}
}

type run struct {
	stdout, stderr string
	exit           int
}

func (u *user) run(argv ...string) run {
	u.t.Helper()
	r := testenv.Run(u.t, u.dir, u.env, argv...)
	return run{r.Stdout, r.Stderr, r.Exit}
}

func (u *user) rex(args ...string) run {
	u.t.Helper()
	return u.run(append([]string{testenv.Bin(u.t, "rex")}, args...)...)
}

func (u *user) write(name, content string) {
	u.t.Helper()
	if err := os.WriteFile(filepath.Join(u.dir, name), []byte(content), 0o644); err != nil {
		u.t.Fatal(err)
	}
}

func (u *user) read(name string) []byte {
	u.t.Helper()
	b, err := os.ReadFile(filepath.Join(u.dir, name))
	if err != nil {
		u.t.Fatal(err)
	}
	return b
}

type counters struct {
	CacheHits        int `json:"cache_hits"`
	RemoteExecutions int `json:"remote_executions"`
	LocalFallbacks   int `json:"local_fallbacks"`
	LocalRuns        int `json:"local_runs"`
	LocalCacheHits   int `json:"local_cache_hits"`
}

func (u *user) stats() counters {
	u.t.Helper()
	r := u.rex("stats", "--json")
	var c counters
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		u.t.Fatalf("rex stats --json: %q: %v", r.stdout, err)
	}
	return c
}

// localObject compiles name locally with the same command rex will run and
// returns the object's bytes, leaving no object behind.
func (u *user) localObject(compiler, src, obj string) []byte {
	u.t.Helper()
	if r := u.run(compiler, "-c", src, "-o", obj); r.exit != 0 {
		u.t.Fatalf("local %s failed: %s", compiler, r.stderr)
	}
	b := u.read(obj)
	os.Remove(filepath.Join(u.dir, obj))
	return b
}

func requireTool(t *testing.T, name string) {
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed", name)
	}
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: builds and runs the binaries")
	}
	for _, compiler := range []string{"g++", "clang++"} {
		t.Run(compiler, func(t *testing.T) {
			requireTool(t, compiler)
			endToEnd(t, compiler)
		})
	}
}

func endToEnd(t *testing.T, compiler string) {
	srv := testenv.StartServer(t, "", "--workers", "2")
	u := newUser(t, srv.Addr)
	u.write("hello.cpp", helloSrc)
	want := u.localObject(compiler, "hello.cpp", "hello.o")

	compile := func(step string, wantStats func(counters) bool) {
		t.Helper()
		compileAs(t, u, srv, step, compiler, want, wantStats)
	}
	compile("miss", func(c counters) bool { return c.RemoteExecutions == 1 && c.CacheHits == 0 })
	compile("hit", func(c counters) bool { return c.RemoteExecutions == 1 && c.LocalCacheHits == 1 })
	srv.Stop()
	// Served from the local cache, the server down or not.
	compile("hit with the server down", func(c counters) bool { return c.LocalCacheHits == 2 && c.LocalFallbacks == 0 })
	srv.Start()
	// A second machine (its own state, its own checkout) hits the server's
	// cache, which survived the restart.
	other := newUser(t, srv.Addr)
	other.write("hello.cpp", helloSrc)
	compileAs(t, other, srv, "hit after restart", compiler, want, func(c counters) bool {
		return c.CacheHits == 1 && c.RemoteExecutions == 0 && c.LocalFallbacks == 0
	})

	u.write("bad.cpp", badSrc)
	local := u.run(compiler, "-c", "bad.cpp", "-o", "bad.o")
	remote := u.rex(compiler, "-c", "bad.cpp", "-o", "bad.o")
	if local.exit == 0 || remote.exit != local.exit || remote.stderr != local.stderr {
		t.Fatalf("compile error not replayed:\nlocal exit %d:\n%s\nrex exit %d:\n%s", local.exit, local.stderr, remote.exit, remote.stderr)
	}
	if c := u.stats(); c.RemoteExecutions != 2 || c.LocalFallbacks != 0 {
		t.Fatalf("compile error should run remotely: %+v", c)
	}

	srv.Stop()
	// A compile the local cache has not seen falls back.
	u.write("hello.cpp", helloSrc+"// changed\n")
	want = u.localObject(compiler, "hello.cpp", "hello.o")
	compile("server down", func(c counters) bool { return c.LocalFallbacks == 1 })

	r := u.rex(compiler, "hello.o", "-o", "hello")
	if r.exit != 0 {
		t.Fatalf("link through rex: %s", r.stderr)
	}
	if out := u.run("./hello").stdout; !strings.Contains(out, "hello from rex") {
		t.Fatalf("./hello printed %q", out)
	}
	if c := u.stats(); c.LocalRuns != 1 {
		t.Fatalf("the link should count as a local run: %+v", c)
	}
}

// compileAs compiles hello.cpp through rex as u and checks the object and
// the counters.
func compileAs(t *testing.T, u *user, srv *testenv.Server, step, compiler string, want []byte, wantStats func(counters) bool) {
	t.Helper()
	os.Remove(filepath.Join(u.dir, "hello.o"))
	r := u.rex(compiler, "-c", "hello.cpp", "-o", "hello.o")
	if r.exit != 0 {
		t.Fatalf("%s: rex exit %d: %s\nserver log:\n%s", step, r.exit, r.stderr, srv.Log())
	}
	if got := u.read("hello.o"); !bytes.Equal(got, want) {
		t.Fatalf("%s: object differs from a local compile (%d vs %d bytes)", step, len(got), len(want))
	}
	if c := u.stats(); !wantStats(c) {
		t.Fatalf("%s: unexpected stats %+v\nstderr: %s", step, c, r.stderr)
	}
}

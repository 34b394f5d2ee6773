package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// rex reaches a distant server through a relay it starts itself and that
// keeps the connection open between compiles (a fresh connection costs
// three round trips, the lookup one). The relay carries later compiles,
// the objects are those of a local compile, and a relay that dies costs
// one direct dial and a new relay, never a failed compile.
func TestRelayCarriesCompilesAndOutlivesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: builds and runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "1")
	u := newUser(t, srv.Addr)
	// The test server is on loopback, which rex does not relay by default
	// (a hop, and nothing to save): this test is about the relay, and
	// about compiles that reach the server (no local results).
	u.env = append(u.env, "REX_RELAY=always", "REX_LOCAL_CACHE_SIZE=0")
	state := filepath.Join(filepath.Dir(u.dir), "state")
	for _, kv := range u.env {
		if v, ok := strings.CutPrefix(kv, "REX_DIR="); ok {
			state = v
		}
	}
	u.write("hello.cpp", helloSrc)
	want := u.localObject("g++", "hello.cpp", "hello.o")

	compile := func(what string) {
		t.Helper()
		os.Remove(filepath.Join(u.dir, "hello.o"))
		if r := u.rex("g++", "-c", "hello.cpp", "-o", "hello.o"); r.exit != 0 {
			t.Fatalf("%s: exit %d: %s", what, r.exit, r.stderr)
		}
		if !bytes.Equal(u.read("hello.o"), want) {
			t.Fatalf("%s: the object differs from a local compile's", what)
		}
	}
	compile("first compile, which starts the relay")
	first := waitRelay(t, state, 0)
	t.Cleanup(func() { syscall.Kill(first, syscall.SIGKILL) })

	before := settledBytes(t, first)
	compile("second compile, through the relay")
	if after := relayedBytes(t, first); after <= before {
		t.Fatalf("the relay carried nothing for the second compile (%d bytes, then %d)", before, after)
	}
	// A miss through the relay: uploads, the Execute stream, the outputs.
	u.write("hello.cpp", helloSrc+"// changed\n")
	want = u.localObject("g++", "hello.cpp", "hello.o")
	compile("a changed source, executed through the relay")
	if c := u.stats(); c.RemoteExecutions != 2 {
		t.Errorf("counters %+v: want the changed source executed remotely", c)
	}

	syscall.Kill(first, syscall.SIGKILL)
	compile("a compile after the relay died")
	second := waitRelay(t, state, first)
	t.Cleanup(func() { syscall.Kill(second, syscall.SIGKILL) })
	if c := u.stats(); c.LocalFallbacks != 0 || c.CacheHits+c.RemoteExecutions != 4 {
		t.Errorf("counters %+v: want 4 remote outcomes and no fallback", c)
	}

	// Its REX_DIR removed, a relay exits by itself.
	os.RemoveAll(filepath.Join(state, "relay"))
	for range 100 {
		if syscall.Kill(second, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("the relay outlived its socket")
}

// waitRelay returns the pid of the relay serving under state, other than
// not, once one listens.
func waitRelay(t *testing.T, state string, not int) int {
	t.Helper()
	for range 200 {
		socks, _ := filepath.Glob(filepath.Join(state, "relay", "*.sock"))
		if len(socks) == 1 {
			if pid := processWith(socks[0]); pid != 0 && pid != not {
				return pid
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no relay started under %s", state)
	return 0
}

// processWith is the pid of a process whose command line names arg.
func processWith(arg string) int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("\x00"+arg)) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		return pid
	}
	return 0
}

// settledBytes is what the relay has written once its own start (its
// connection to the server) is over: nothing more for a while.
func settledBytes(t *testing.T, pid int) int {
	t.Helper()
	n := relayedBytes(t, pid)
	for range 50 {
		time.Sleep(100 * time.Millisecond)
		m := relayedBytes(t, pid)
		if m == n {
			return n
		}
		n = m
	}
	t.Fatal("the relay keeps writing with no compile running")
	return 0
}

// relayedBytes is what the relay process has written so far.
func relayedBytes(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/io")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatalf("no wchar in /proc/%d/io", pid)
	return 0
}

package interop

import (
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// TestRexBuildbarnRemoteExecution builds zlib with CC="rex gcc" against a
// local Buildbarn: every compile runs on Buildbarn's worker, every object is
// byte-identical to a plain local build, and a rebuild with a fresh REX_DIR
// (no client-side state) is served from Buildbarn's action cache.
//
// Buildbarn matches platform properties exactly and its worker advertises
// none, so any property rex sent by default would leave the action without
// a worker ("no workers exist ... platform") and show up as local fallbacks:
// zero fallbacks with remote executions proves rex sends none.
func TestRexBuildbarnRemoteExecution(t *testing.T) {
	addr := buildbarn(t)
	rex := testenv.Bin(t, "rex")
	ref := localZlib(t)
	env := func() []string {
		return []string{"REX_SERVER=" + addr, "REX_DIR=" + t.TempDir()}
	}
	defer func() {
		if t.Failed() {
			t.Logf("Buildbarn logs:\n%s", buildbarnLogs())
		}
	}()

	first := buildZlib(t, rex+" gcc", env()...)
	t.Logf("first build:  %+v", first.stats)
	if first.stats.LocalFallbacks != 0 {
		t.Errorf("first build: %d local fallbacks (remote execution on Buildbarn failed; platform properties sent?)\n%s",
			first.stats.LocalFallbacks, tail(first.log, 4000))
	}
	if first.stats.RemoteExecutions+first.stats.CacheHits < 20 {
		// Hits count too: a Buildbarn kept running between runs remembers.
		t.Errorf("first build: only %d remote executions, want every zlib compile (>= 20)", first.stats.RemoteExecutions)
	}
	sameObjects(t, "first build (remote execution)", ref, first.objects)

	// The rebuild reaches Buildbarn through rex's relay, as a Buildbarn on
	// another machine would be (loopback is not relayed by default): every
	// call passes through the relay's one connection, byte for byte.
	state := t.TempDir()
	second := buildZlib(t, rex+" gcc", "REX_SERVER="+addr, "REX_DIR="+state, "REX_RELAY=always")
	t.Logf("second build: %+v", second.stats)
	if socks, _ := filepath.Glob(filepath.Join(state, "relay", "*.sock")); len(socks) != 1 {
		t.Errorf("the rebuild left %d relay sockets, want the one its compiles went through", len(socks))
	}
	if n := second.stats.remotable(); n == 0 || float64(second.stats.CacheHits) < 0.99*float64(n) {
		t.Errorf("rebuild with a fresh REX_DIR: %d cache hits of %d remotable compiles, want >= 99%%\n%s",
			second.stats.CacheHits, n, tail(second.log, 8000))
	}
	sameObjects(t, "second build (cache hits)", ref, second.objects)
}

// TestRexBazelRemoteCacheOnly builds zlib twice with REX_CACHE_ONLY=1
// against bazel-remote (SHA-256 only, returns a hit only when the output
// blobs are stored): the first build compiles locally and fills the cache,
// the second, with a fresh REX_DIR, is all hits; objects identical to a
// plain local build both times.
func TestRexBazelRemoteCacheOnly(t *testing.T) {
	addr := startBazelRemote(t)
	rex := testenv.Bin(t, "rex")
	ref := localZlib(t)
	env := func() []string {
		return []string{"REX_SERVER=" + addr, "REX_CACHE_ONLY=1", "REX_DIR=" + t.TempDir()}
	}

	first := buildZlib(t, rex+" gcc", env()...)
	t.Logf("first build:  %+v", first.stats)
	if first.stats.RemoteExecutions != 0 {
		t.Errorf("cache-only build ran %d remote executions", first.stats.RemoteExecutions)
	}
	if first.stats.LocalFallbacks != 0 {
		t.Errorf("first build: %d local fallbacks (cache lookups or uploads failed)\n%s", first.stats.LocalFallbacks, tail(first.log, 4000))
	}
	if first.stats.CacheMisses < 20 {
		t.Errorf("first build: %d cache misses, want every zlib compile (>= 20) compiled locally and stored", first.stats.CacheMisses)
	}
	sameObjects(t, "first build (local, cache filled)", ref, first.objects)

	second := buildZlib(t, rex+" gcc", env()...)
	t.Logf("second build: %+v", second.stats)
	if n := second.stats.remotable(); n == 0 || second.stats.CacheHits != n {
		t.Errorf("second build: %d cache hits of %d remotable compiles, want all\n%s", second.stats.CacheHits, n, tail(second.log, 8000))
	}
	sameObjects(t, "second build (cache hits)", ref, second.objects)
}

package wrapper

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/manifest"
	"github.com/rexbuild/rex/stats"
)

const iostreamSrc = "#include <iostream>\nint main() { std::cout << 1; }\n"

// BenchmarkScan is the floor of a cache hit: the compiler's own -M scan.
// Compare BenchmarkCacheHit with it (same run, same machine).
func BenchmarkScan(b *testing.B) {
	p := newProject(b, "unix:///nonexistent")
	os.WriteFile(p.dir+"/a.cpp", []byte(iostreamSrc), 0o644)
	inv, _ := compiler.Parse([]string{"g++", "-O2", "-c", "a.cpp", "-o", "a.o"}, p.dir)
	for b.Loop() {
		req := depscan.Request{Compiler: "/usr/bin/g++", Inv: inv, Dir: p.dir, Env: os.Environ()}
		if _, err := depscan.Scan(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheHit is one whole cache hit of a TU including <iostream>,
// against the real server in process, without process start-up.
func BenchmarkCacheHit(b *testing.B) {
	srv := startServer(b)
	p := newProject(b, srv.addr)
	os.WriteFile(p.dir+"/a.cpp", []byte(iostreamSrc), 0o644)
	argv := []string{"g++", "-O2", "-c", "a.cpp", "-o", "a.o"}
	p.fill(argv...)
	for b.Loop() {
		if r := p.run(argv...); r.Outcome != stats.CacheHit {
			b.Fatalf("outcome %v (%v)", r.Outcome, r.Reason)
		}
	}
}

// directProject is a project whose source has aged past the racy window,
// so that direct mode records it, compiled once to fill the caches.
func directProject(b *testing.B, localCache int64) (*project, []string) {
	srv := startServer(b)
	p := newProject(b, srv.addr)
	p.cfg.Direct, p.cfg.LocalCacheSize = true, localCache
	os.WriteFile(p.dir+"/a.cpp", []byte(iostreamSrc), 0o644)
	time.Sleep(manifest.RacyWindow + 100*time.Millisecond)
	argv := []string{"g++", "-O2", "-c", "a.cpp", "-o", "a.o"}
	p.fill(argv...)
	p.run(argv...) // records
	return p, argv
}

// BenchmarkDirectLocalHit is a direct-mode hit from the local cache: no
// scan, no server.
func BenchmarkDirectLocalHit(b *testing.B) {
	p, argv := directProject(b, 1<<30)
	b.ReportAllocs()
	for b.Loop() {
		if r := p.run(argv...); r.Outcome != stats.LocalCacheHit || !strings.Contains(r.Phases, "direct") {
			b.Fatalf("outcome %v (%v), phases %s", r.Outcome, r.Reason, r.Phases)
		}
	}
}

// BenchmarkDirectServerHit is a direct-mode hit from the server's cache
// (the local cache keeps records only): one GetActionResult with the
// object inline.
func BenchmarkDirectServerHit(b *testing.B) {
	p, argv := directProject(b, 0)
	b.ReportAllocs()
	for b.Loop() {
		if r := p.run(argv...); r.Outcome != stats.CacheHit || !strings.Contains(r.Phases, "direct") {
			b.Fatalf("outcome %v (%v), phases %s", r.Outcome, r.Reason, r.Phases)
		}
	}
}

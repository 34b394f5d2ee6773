package wrapper

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/stats"
)

// slowSrc takes the compiler a second or more, in constant evaluation,
// after it has read slow.h.
const slowSrc = `#include "slow.h"
constexpr unsigned long spin(unsigned long n) {
  unsigned long s = kSeed;
  for (unsigned long i = 0; i < n; ++i) s = s * 31 + i % 7;
  return s;
}
constexpr unsigned long value = spin(1000000);
unsigned long get() { return value; }
`

var compileSlow = []string{"g++", "-fconstexpr-loop-limit=100000000", "-fconstexpr-ops-limit=4000000000",
	"-c", "slow.cpp", "-o", "slow.o"}

// compiling reports whether the real compile (cc1plus without -E, which
// the dependency scan uses) of src is running in dir.
func compiling(dir, src string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, proc := range procs {
		cmdline, err := os.ReadFile(proc + "/cmdline")
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if !strings.HasSuffix(args[0], "cc1plus") || !bytes.Contains(cmdline, []byte(src)) {
			continue
		}
		if cwd, _ := os.Readlink(proc + "/cwd"); cwd != dir {
			continue
		}
		scan := false
		for _, a := range args {
			scan = scan || a == "-E"
		}
		if !scan {
			return true
		}
	}
	return false
}

// A header edited while the cache-only compile runs must not put the edited
// object under the unedited key: the fill is skipped, and the next compile
// of the unedited sources is a miss, not a hit on the wrong object.
func TestCacheOnlyHeaderEditedDuringCompile(t *testing.T) {
	srv := startServer(t)
	p := newProject(t, srv.addr)
	p.cfg.CacheOnly = true
	const original, edited = "constexpr unsigned long kSeed = 1;\n", "constexpr unsigned long kSeed = 2;\n"
	p.write("slow.h", original)
	p.write("slow.cpp", slowSrc)

	done := make(chan Result)
	go func() { done <- p.run(compileSlow...) }()
	var r Result
	edit := time.NewTicker(5 * time.Millisecond)
	defer edit.Stop()
	for wrote := false; !wrote; {
		select {
		case r = <-done:
			t.Fatalf("the compile ended (%v, %v) before the header could be edited during it; make it slower", r.Outcome, r.Reason)
		case <-edit.C:
			if compiling(p.dir, "slow.cpp") {
				p.write("slow.h", edited) // same size: only the times change
				wrote = true
			}
		}
	}
	r = <-done
	if r.Outcome != stats.CacheMiss || r.ExitCode != 0 {
		t.Fatalf("outcome %v (%v), exit %d; want a cache miss", r.Outcome, r.Reason, r.ExitCode)
	}
	if !errors.Is(r.Reason, errInputsChanged) || !strings.Contains(r.Reason.Error(), "slow.h") {
		t.Errorf("reason %v, want the edited header named", r.Reason)
	}

	// Back to the content the first key hashed: nothing is stored under it.
	p.write("slow.h", original)
	if r := p.run(compileSlow...); r.Outcome != stats.CacheMiss || r.Reason != nil {
		t.Fatalf("unedited compile: %v (%v), want a miss that fills the cache", r.Outcome, r.Reason)
	}
	want, _ := os.ReadFile(filepath.Join(p.dir, "slow.o"))
	os.Remove(filepath.Join(p.dir, "slow.o"))
	if r := p.run(compileSlow...); r.Outcome != stats.CacheHit {
		t.Fatalf("third compile: %v (%v), want a hit", r.Outcome, r.Reason)
	}
	if got, _ := os.ReadFile(filepath.Join(p.dir, "slow.o")); !bytes.Equal(got, want) {
		t.Error("the hit's object is not the unedited compile's")
	}
}

// A write of the same size in the same timestamp tick leaves stat as it
// was; a file stamped moments after a change is checked by content too.
func TestRacyStampChecksContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen.h")
	os.WriteFile(path, []byte("#define V 1\n"), 0o644)
	paths := []string{path}
	s := stampsFor(paths)
	if !s[path].racy {
		t.Fatal("a file written just now is not stamped as racy")
	}
	if got := s.changed(paths); got != "" {
		t.Fatalf("an untouched file reads as changed: %s", got)
	}
	os.WriteFile(path, []byte("#define V 2\n"), 0o644)
	// As if the second write had landed in the same tick as the first.
	stamp := s[path]
	stamp.stat = statOf(path)
	s[path] = stamp
	if got := s.changed(paths); got != path {
		t.Errorf("changed = %q, want the rewritten file", got)
	}
}

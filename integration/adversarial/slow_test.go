package adversarial

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// slowSource takes seconds to compile (a constexpr loop). GCC's C++ front
// end lexes the whole translation unit first, so it reads h.h at once.
const slowSource = `constexpr long slow(long n) {
	long s = 0;
	for (long i = 0; i < n; i++) s += i %% 7;
	return s;
}
constexpr long big = slow(%d);
#include "h.h"
long get() { return big + hv; }
`

func slowSpec(class, name string, n int) spec {
	return spec{
		class: class, name: name,
		files: map[string]string{"h.h": "const long hv = 1;\n", "slow.cc": fmt.Sprintf(slowSource, n)},
		cmd: []string{"g++", "-fconstexpr-ops-limit=4000000000", "-fconstexpr-loop-limit=2000000000",
			"-c", "slow.cc", "-o", "slow.o"},
	}
}

// lateReadSource spends seconds in the preprocessor (an #if whose operand
// expands to 2^n terms) before it reads h.h, so an edit made as the
// compiler starts lands before the read. Without macro-expansion tracking
// that costs little memory.
func lateReadSource(n int) string {
	var b strings.Builder
	b.WriteString("#define X0 1\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "#define X%d X%d+X%d\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "#if X%d > 0\n#endif\n#include \"h.h\"\nlong get() { return hv; }\n", n)
	return b.String()
}

// In cache-only mode rex compiles locally and fills the cache: a header
// edited while that compile runs must not put the edited object under the
// key of the unedited header.
func TestCacheOnly(t *testing.T) {
	s := spec{
		class: "cache-only", name: "header edited during the compile",
		files: map[string]string{"h.h": "const long hv = 1;\n", "late.cc": lateReadSource(23)},
		cmd:   []string{"g++", "-ftrack-macro-expansion=0", "-c", "late.cc", "-o", "late.o"},
		env:   []string{"REX_CACHE_ONLY=1"},
	}
	k := newKase(t, s)
	before := k.snapshot()
	s0 := k.stats()
	cmd := k.command(true)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	_, seen := waitCompiler(func(p proc) bool { return p.cwd == cmd.Dir }, done)
	if seen {
		k.write("h.h", "const long hv = 2;\n")
	}
	<-done
	if !seen {
		t.Fatal("never saw the compile run: the case proves nothing")
	}
	during := outcome(s0, k.stats())
	k.outcomes = append(k.outcomes, "edited during: "+during)
	k.t.Logf("edited h.h while rex's compile ran (rex exit %d, outcome: %s)", cmd.ProcessState.ExitCode(), during)
	k.restore(before)
	k.compare("header restored")
	tally.record(s.class, s.name, k.outcomes, k.problems)
}

// SIGINT during a remote compile: rex stops without waiting for the worker,
// leaves no output and does not compile locally instead.
func TestInterrupt(t *testing.T) {
	if *localOnly {
		t.Skip("-local: about a compile on a worker")
	}
	s := slowSpec("behaviour", "SIGINT during a remote compile", 2000000)
	k := newKase(t, s)
	before := k.snapshot()
	s0 := k.stats()
	cmd := k.command(true)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	remote, ok := waitCompiler(func(p proc) bool {
		return strings.HasPrefix(p.cwd, server.Dir) && contains(p.args, "slow.cc")
	}, done)
	if !ok {
		<-done
		t.Fatal("rex ended before a worker compiled: the case proves nothing")
	}
	sent := time.Now()
	cmd.Process.Signal(os.Interrupt)
	// A local compile rex starts after the signal runs in the case's cwd.
	// Whichever comes first, that or rex's exit, is when rex stopped
	// waiting for the worker.
	_, local := waitCompiler(func(p proc) bool { return p.cwd == cmd.Dir }, done)
	workerStillRunning := alive(remote.pid)
	<-done
	took := time.Since(sent)
	t.Logf("rex exited %v after SIGINT with %s, worker compile still running: %v, rex outcome: %s",
		took.Round(time.Millisecond), cmd.ProcessState, workerStillRunning, outcome(s0, k.stats()))
	var problems []string
	if local {
		problems = append(problems, "a local compile started after SIGINT")
	}
	if !workerStillRunning {
		problems = append(problems, "rex waited for the remote compile to finish")
	}
	if cmd.ProcessState.ExitCode() == 0 {
		problems = append(problems, "rex exited 0 after SIGINT")
	}
	if d := diff(before, k.snapshot()); len(d) > 0 {
		tally.add(wrongObject)
		k.fail("output left after SIGINT", d)
	}
	for _, p := range problems {
		tally.add(otherDiff)
		k.fail(p, nil)
	}
	k.restore(before)
	for alive(remote.pid) { // the next case should not share the CPUs with it
		time.Sleep(50 * time.Millisecond)
	}
	tally.record(s.class, s.name, []string{fmt.Sprintf("rex exited %v after SIGINT", took.Round(time.Millisecond))}, k.problems)
}

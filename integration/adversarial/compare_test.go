package adversarial

import (
	"bytes"
	"fmt"
	"strings"
)

// compare runs the compile locally, puts the tree back as it was, runs it
// through rex, puts the tree back again, and records every difference.
func (k *kase) compare(phase string) {
	k.t.Helper()
	before := k.snapshot()
	local := k.run(false)
	afterLocal := k.snapshot()
	k.restore(before)
	s0 := k.stats()
	remote := k.run(true)
	s1 := k.stats()
	afterRex := k.snapshot()
	k.restore(before)

	if len(diff(afterLocal, afterRex)) > 0 && !k.reproducible(before, afterLocal) {
		k.t.Fatalf("%s: two local compiles differ: the case proves nothing", phase)
	}
	got := outcome(s0, s1)
	k.outcomes = append(k.outcomes, phase+": "+got)
	k.t.Logf("%s: local exit %d, rex exit %d, rex outcome: %s", phase, local.exit, remote.exit, got)
	files := diff(afterLocal, afterRex)
	streams := streamDiffs(local, remote)
	if problem := classify(phase, got, local, remote, len(files)+len(streams) > 0, len(files) > 0); problem != "" {
		tally.add(problem)
		k.fail(fmt.Sprintf("%s: %s (rex: %s)", phase, problem, got), append(files, streams...))
	}
	if k.want != nil && !*localOnly {
		if p := k.want(phase, got); p != "" {
			tally.add(otherDiff)
			k.fail(fmt.Sprintf("%s: %s", phase, p), nil)
		}
	}
}

const (
	failedBuild = "failed build"
	staleHit    = "stale hit"
	wrongObject = "wrong object"
	otherDiff   = "different output"
)

// classify names the worst thing a difference means, or "" for none.
func classify(phase, outcome string, local, remote result, differs, filesDiffer bool) string {
	switch {
	case local.exit == 0 && remote.exit != 0:
		return failedBuild
	case phase != "base" && strings.Contains(outcome, "cache hit") && differs:
		return staleHit
	case filesDiffer:
		return wrongObject
	case differs:
		return otherDiff
	}
	return ""
}

// reproducible compiles locally once more and says whether it left the
// same tree: only then is a difference from rex rex's.
func (k *kase) reproducible(before, afterLocal tree) bool {
	k.t.Helper()
	k.run(false)
	again := k.snapshot()
	k.restore(before)
	return len(diff(afterLocal, again)) == 0
}

func (k *kase) fail(problem string, details []string) {
	k.t.Helper()
	k.problems = append(k.problems, problem)
	k.t.Errorf("%s\n  %s", problem, strings.Join(details, "\n  "))
}

func streamDiffs(local, remote result) []string {
	var out []string
	if local.exit != remote.exit {
		out = append(out, fmt.Sprintf("exit code %d locally, %d with rex", local.exit, remote.exit))
	}
	if !bytes.Equal(local.stdout, remote.stdout) {
		out = append(out, fmt.Sprintf("stdout locally:\n%s\n  stdout with rex:\n%s", local.stdout, remote.stdout))
	}
	if !bytes.Equal(local.stderr, remote.stderr) {
		out = append(out, fmt.Sprintf("stderr locally:\n%s\n  stderr with rex:\n%s", local.stderr, remote.stderr))
	}
	return out
}

func (k *kase) snapshot() tree {
	k.t.Helper()
	tr, err := snapshot(k.roots)
	if err != nil {
		k.t.Fatal(err)
	}
	return tr
}

func (k *kase) restore(want tree) {
	k.t.Helper()
	if err := restore(k.roots, want); err != nil {
		k.t.Fatal(err)
	}
}

package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/stats"
)

// deliverFunc turns a remote result (a hit or an execution's) into the
// invocation's result.
type deliverFunc func(ctx context.Context, c *client.Client, dir string, plan *actionPlan, r *repb.ActionResult, outcome stats.Outcome) (Result, error)

// sampled decides whether this invocation is verified: always at rate 1,
// never at 0, else at random (REX_VERIFY_RATE=0.01 checks one compile in a
// hundred, which over a large build still finds a key that is too weak).
func sampled(rate float64) bool {
	return rate >= 1 || rate > 0 && rand.Float64() < rate
}

// verifier delivers a remote result by compiling locally as well: the
// remote answer is fetched to memory, never written, and the local compile
// writes the real outputs, so what the user gets is the local compile's
// whatever the remote side said. The two are compared byte for byte, after
// the path rewriting materialize would have done.
func verifier(inv Invocation) deliverFunc {
	return func(ctx context.Context, c *client.Client, dir string, plan *actionPlan, r *repb.ActionResult, outcome stats.Outcome) (Result, error) {
		// Fetch first: a result that cannot be fetched (an evicted blob,
		// a broken worker's failure) is handled exactly as without
		// verification, and nothing local has run yet.
		remote, err := fetchRemote(ctx, c, plan, r)
		if err != nil {
			return Result{}, err
		}
		local, err := compileLocally(ctx, inv)
		if err != nil {
			return Result{}, err
		}
		local.Outcome = outcome
		local.Verified = true
		local.Mismatch = compareResults(dir, plan, remote, local)
		return local, nil
	}
}

// remoteAnswer is a remote result held in memory as materialize would have
// written it: streams and declared outputs with local paths in place of
// the placeholder.
type remoteAnswer struct {
	stdout, stderr []byte
	exitCode       int
	files          map[string][]byte // by path relative to the cwd
	// undeclared are outputs the result has and the compile does not
	// declare; materialize would refuse them, and they are a difference.
	undeclared []string
}

func fetchRemote(ctx context.Context, c *client.Client, plan *actionPlan, r *repb.ActionResult) (remoteAnswer, error) {
	stdout, stderr, err := remoteStreams(ctx, c, plan, r)
	if err != nil {
		return remoteAnswer{}, err
	}
	a := remoteAnswer{stdout: stdout, stderr: stderr, exitCode: int(r.GetExitCode()), files: map[string][]byte{},
		undeclared: undeclaredOutputs(r, plan)}
	if a.exitCode != 0 {
		return a, nil
	}
	if !complete(r, plan) {
		return remoteAnswer{}, fmt.Errorf("result lacks declared outputs")
	}
	byPath := map[string]digest.Digest{}
	for _, f := range r.GetOutputFiles() {
		d, err := digest.FromProto(f.GetDigest())
		if err != nil {
			return remoteAnswer{}, fmt.Errorf("output %s: %w", f.GetPath(), err)
		}
		byPath[f.GetPath()] = d
	}
	var want []digest.Digest
	for _, out := range plan.outputs {
		want = append(want, byPath[out])
	}
	blobs, err := c.ReadBlobs(ctx, want)
	if err != nil {
		return remoteAnswer{}, fmt.Errorf("outputs: %w", err)
	}
	for _, out := range plan.outputs {
		data := blobs[byPath[out]]
		if plan.portable && slices.Contains(plan.pathOutputs, out) {
			data = plan.localize(data)
		}
		a.files[out] = data
	}
	return a, nil
}

func undeclaredOutputs(r *repb.ActionResult, plan *actionPlan) []string {
	var paths []string
	for _, f := range r.GetOutputFiles() {
		paths = append(paths, f.GetPath())
	}
	for _, d := range r.GetOutputDirectories() {
		paths = append(paths, d.GetPath())
	}
	for _, links := range [][]*repb.OutputSymlink{r.GetOutputSymlinks(), r.GetOutputFileSymlinks(), r.GetOutputDirectorySymlinks()} {
		for _, l := range links {
			paths = append(paths, l.GetPath())
		}
	}
	return slices.DeleteFunc(paths, func(p string) bool { return slices.Contains(plan.outputs, p) })
}

// compareResults says what differs between the remote answer and the local
// compile (which has written its outputs under dir), or "" when nothing does.
func compareResults(dir string, plan *actionPlan, remote remoteAnswer, local Result) string {
	var diffs []string
	if remote.exitCode != local.ExitCode {
		diffs = append(diffs, fmt.Sprintf("exit code: remote %d, local %d", remote.exitCode, local.ExitCode))
	}
	diffs = appendDiff(diffs, "stdout", remote.stdout, local.Stdout)
	diffs = appendDiff(diffs, "stderr", remote.stderr, local.Stderr)
	if len(remote.undeclared) > 0 {
		diffs = append(diffs, fmt.Sprintf("undeclared remote outputs %q", remote.undeclared))
	}
	if remote.exitCode != 0 || local.ExitCode != 0 {
		return strings.Join(diffs, "; ")
	}
	for _, out := range plan.outputs {
		data, err := os.ReadFile(filepath.Join(dir, out))
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("%s: the local compile left none (%v)", out, err))
			continue
		}
		remoteData := remote.files[out]
		if out == plan.depFile && sameRule(remoteData, data) {
			continue
		}
		diffs = appendDiff(diffs, out, remoteData, data)
	}
	return strings.Join(diffs, "; ")
}

// sameRule reports whether two dep files state the same make rule. gcc
// wraps a dep file's lines by length, and the worker's root is not as long
// as the local one, so a remote dep file localised may wrap differently:
// make reads the same rule, and that is all that must match.
func sameRule(a, b []byte) bool {
	return slices.Equal(ruleWords(a), ruleWords(b))
}

func ruleWords(b []byte) []string {
	return strings.Fields(strings.ReplaceAll(string(b), "\\\n", " "))
}

func appendDiff(diffs []string, what string, remote, local []byte) []string {
	if bytes.Equal(remote, local) {
		return diffs
	}
	return append(diffs, fmt.Sprintf("%s: remote %d bytes, local %d bytes, first difference at byte %d",
		what, len(remote), len(local), firstDifference(remote, local)))
}

// firstDifference is the offset of the first byte where a and b differ
// (the shorter one's length when it is a prefix of the other).
func firstDifference(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

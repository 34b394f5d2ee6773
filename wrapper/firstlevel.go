package wrapper

import (
	"fmt"
	"os"
	"path/filepath"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/stats"
)

// The local cache keeps each successful compile's result as rex served
// it: stdout, stderr and outputs with the local root in place, so a
// portable action's result is kept per local root. Output files are kept
// by their BLAKE3 digest and copied out (never linked: the build may
// change an object in place later).

// localKey names plan's result in the local cache.
func localKey(plan *actionPlan) string {
	if !plan.portable {
		return plan.actionDigest.Hash
	}
	return digest.BLAKE3.FromBytes([]byte(plan.actionDigest.String() + "\x00" + plan.localRoot)).Hash
}

// serveLocal writes plan's outputs from the local cache. ok is false on a
// miss, and nothing was written.
func serveLocal(cache *localcache.Store, dir string, plan *actionPlan) (Result, bool) {
	if cache == nil {
		return Result{}, false
	}
	data, ok := cache.Get(localcache.Results, localKey(plan))
	if !ok {
		return Result{}, false
	}
	var r repb.ActionResult
	if proto.Unmarshal(data, &r) != nil || r.GetExitCode() != 0 || !complete(&r, plan) {
		return Result{}, false
	}
	if err := copyOutputs(cache, dir, &r); err != nil {
		return Result{}, false
	}
	if plan.depTemp != "" {
		if os.Rename(plan.depTemp, filepath.Join(dir, plan.depFile)) != nil {
			return Result{}, false
		}
	}
	return Result{Outcome: stats.LocalCacheHit, Stdout: r.GetStdoutRaw(), Stderr: r.GetStderrRaw(),
		CompileTime: executionTime(&r)}, true
}

// copyOutputs copies every output out of the cache to a temporary file
// beside its place, then renames them all: a missing blob leaves the
// build tree untouched.
func copyOutputs(cache *localcache.Store, dir string, r *repb.ActionResult) error {
	type staged struct{ tmp, final string }
	var done []staged
	defer func() {
		for _, s := range done {
			os.Remove(s.tmp)
		}
	}()
	for _, f := range r.GetOutputFiles() {
		final := filepath.Join(dir, filepath.FromSlash(f.GetPath()))
		d, err := digest.FromProto(f.GetDigest())
		if err != nil {
			return err
		}
		tmp, err := cache.CopyBlob(d, filepath.Dir(final), atomicfile.OutputMode(f.GetIsExecutable()))
		if err != nil {
			return err
		}
		done = append(done, staged{tmp, final})
	}
	for i, s := range done {
		if err := os.Rename(s.tmp, s.final); err != nil {
			return err
		}
		done[i].tmp = ""
	}
	return nil
}

// keepLocal stores a successful compile's outputs, now in place under dir,
// and its streams as plan's local result. Failing costs a later miss only.
func keepLocal(cache *localcache.Store, dir string, plan *actionPlan, res Result) error {
	if cache == nil || res.ExitCode != 0 {
		return nil
	}
	// What the compile cost where it ran travels with the result, for the
	// time a later hit saves.
	ar := &repb.ActionResult{StdoutRaw: res.Stdout, StderrRaw: res.Stderr, ExecutionMetadata: localMetadata(res.CompileTime)}
	for _, out := range plan.outputs {
		path := filepath.Join(dir, out)
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("output %s: %w", out, err)
		}
		d, err := cache.AddFile(path)
		if err != nil {
			return err
		}
		ar.OutputFiles = append(ar.OutputFiles, &repb.OutputFile{Path: out, Digest: d.Proto(),
			IsExecutable: st.Mode()&0o100 != 0})
	}
	data, err := proto.Marshal(ar)
	if err != nil {
		return err
	}
	return cache.Put(localcache.Results, localKey(plan), data)
}

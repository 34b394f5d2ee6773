package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/stats"
)

// A remote result written back as the local compile would have left it:
// its streams first, then the outputs, with the worker's root mapped back.

// materialize fetches stdout and stderr first and then writes the outputs,
// so that a failure to fetch anything leaves the build tree untouched.
func materialize(ctx context.Context, c *client.Client, dir string, plan *actionPlan, r *repb.ActionResult, outcome stats.Outcome) (Result, error) {
	beyond, err := checkWorkerLookups(dir, plan, r)
	if err != nil {
		return Result{}, err
	}
	plan.workerBeyond = beyond
	stdout, stderr, err := remoteStreams(ctx, c, plan, r)
	if err != nil {
		return Result{}, err
	}
	if r.GetExitCode() == 0 {
		if !complete(r, plan) {
			return Result{}, fmt.Errorf("result lacks declared outputs")
		}
		if err := writeOutputs(ctx, c, dir, plan, r); err != nil {
			return Result{}, fmt.Errorf("outputs: %w", err)
		}
	} else {
		removeStale(dir, plan.object)
	}
	// The dependency file comes last, as the compiler writes it even for a
	// compile that fails: make must never see it beside a missing object.
	if plan.depTemp != "" {
		if err := os.Rename(plan.depTemp, filepath.Join(dir, plan.depFile)); err != nil {
			return Result{}, fmt.Errorf("dependency file: %w", err)
		}
	}
	return Result{Outcome: outcome, Stdout: stdout, Stderr: stderr, ExitCode: int(r.GetExitCode()),
		CompileTime: executionTime(r)}, nil
}

// remoteStreams fetches a result's stdout and stderr as the user would see
// them (local paths in place of the placeholder), and refuses a failure
// that is not the source's: one the portable script reports, or one a
// missing input or a broken worker could explain.
func remoteStreams(ctx context.Context, c *client.Client, plan *actionPlan, r *repb.ActionResult) (stdout, stderr []byte, err error) {
	if stdout, err = c.Stdout(ctx, r); err != nil {
		return nil, nil, fmt.Errorf("stdout: %w", err)
	}
	if stderr, err = c.Stderr(ctx, r); err != nil {
		return nil, nil, fmt.Errorf("stderr: %w", err)
	}
	if plan.portable {
		if r.GetExitCode() == scriptFailure && bytes.Contains(stderr, []byte(scriptMessage)) {
			return nil, nil, fmt.Errorf("remote command failed: %s", bytes.TrimSpace(stderr))
		}
		stdout, stderr = plan.localize(stdout), plan.localize(stderr)
	}
	if why := remoteFault(r.GetExitCode(), stderr); why != "" {
		return nil, nil, fmt.Errorf("remote compile failed (exit %d) in a way rex or the worker may have caused: %s",
			r.GetExitCode(), why)
	}
	return stdout, stderr, nil
}

// writeOutputs writes every output of r under dir. Portable outputs that
// name paths are fetched first and written last, with the local root in
// place of the placeholder.
func writeOutputs(ctx context.Context, c *client.Client, dir string, plan *actionPlan, r *repb.ActionResult) error {
	if !plan.portable || len(plan.pathOutputs) == 0 {
		return c.DownloadOutputs(ctx, r, dir)
	}
	rewrite := map[string]bool{}
	for _, out := range plan.pathOutputs {
		rewrite[out] = true
	}
	rest := proto.Clone(r).(*repb.ActionResult)
	rest.OutputFiles = nil
	texts := map[string][]byte{}
	for _, f := range r.GetOutputFiles() {
		if !rewrite[f.GetPath()] {
			rest.OutputFiles = append(rest.OutputFiles, f)
			continue
		}
		d, err := digest.FromProto(f.GetDigest())
		if err != nil {
			return fmt.Errorf("%s: %w", f.GetPath(), err)
		}
		if texts[f.GetPath()], err = c.ReadBlob(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", f.GetPath(), err)
		}
	}
	if err := c.DownloadOutputs(ctx, rest, dir); err != nil {
		return err
	}
	for _, out := range plan.pathOutputs {
		if data, ok := texts[out]; ok {
			if err := replaceFile(filepath.Join(dir, out), plan.localize(data)); err != nil {
				return err
			}
		}
	}
	return nil
}

// localize puts the local root where a portable result has the placeholder.
func (plan *actionPlan) localize(b []byte) []byte {
	if plan.hermetic {
		b = bytes.ReplaceAll(b, []byte(hermeticRoot+"/"), []byte(plan.localRoot+"/"))
	}
	return bytes.ReplaceAll(b, []byte(rootPlaceholder), []byte(plan.localRoot))
}

// portabilize is localize's inverse, for results compiled locally. With
// "/" as the root every absolute path is under it: the text is kept as it
// is, which localize leaves unchanged.
func (plan *actionPlan) portabilize(b []byte) []byte {
	if plan.localRoot == "" {
		return b
	}
	return bytes.ReplaceAll(b, []byte(plan.localRoot+"/"), []byte(rootPlaceholder+"/"))
}

// replaceFile writes data to path atomically, with the mode the compiler
// would have given it.
func replaceFile(path string, data []byte) error {
	return atomicfile.Write(path, data, atomicfile.OutputMode(false))
}

package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/stats"
)

// compileAndFill is the cache-only miss path: compile locally, then upload
// the outputs and record the result, so the next build (here or on another
// machine) hits. A failure to fill the cache does not change the compile's
// result: it is reported and the local result stands.
func compileAndFill(ctx context.Context, c *client.Client, inv Invocation, plan *actionPlan) (Result, error) {
	res, err := compileForCache(ctx, inv, plan)
	if err != nil || res.ExitCode != 0 || res.Reason != nil {
		return res, err
	}
	if err := fill(ctx, c, inv.Dir, plan, res); err != nil {
		res.Outcome = stats.LocalFallback
		res.Reason = fmt.Errorf("fill the remote cache: %w", explainRefusal(err))
	}
	return res, nil
}

// compileForCache is the miss path with no server: compile locally; the
// caller keeps a successful result in the local cache unless an input
// changed while the compile ran (Reason says so).
func compileForCache(ctx context.Context, inv Invocation, plan *actionPlan) (Result, error) {
	argv, watch, err := watchAssembler(plan, inv.Argv)
	if err != nil {
		return Result{}, localf("%v", err)
	}
	inv.Argv = argv
	var checkLookups func() error
	res, err := runLocally(ctx, inv, func(cmd *exec.Cmd) (err error) {
		checkLookups, err = watchLookups(plan, cmd, plan.source)
		return err
	})
	switch {
	case err != nil || res.ExitCode != 0:
		watch.discard()
	default:
		// An input edited while the compile ran (an editor's save during
		// a build) would put the edited object under the unedited key.
		if path := plan.inputStamps.changed(plan.inputPaths); path != "" {
			res.Reason = fmt.Errorf("%w: %s", errInputsChanged, path)
		}
		if err := watch.check(inv.Dir, plan); err != nil && res.Reason == nil {
			res.Reason = err
		}
		if err := checkLookups(); err != nil && res.Reason == nil {
			res.Reason = err
		}
	}
	return res, err
}

// compileLocally runs the compiler with inv's argv, capturing its output
// for the cache and for replay.
func compileLocally(ctx context.Context, inv Invocation) (Result, error) {
	return runLocally(ctx, inv, func(*exec.Cmd) error { return nil })
}

// runLocally is compileLocally with prepare called on the command before
// it runs.
func runLocally(ctx context.Context, inv Invocation, prepare func(*exec.Cmd) error) (Result, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, inv.Argv[0], inv.Argv[1:]...)
	cmd.Dir, cmd.Env = inv.Dir, inv.Env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, &stdout, &stderr
	if err := prepare(cmd); err != nil {
		return Result{}, localf("run %s: %v", inv.Argv[0], err)
	}
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
	case err != nil:
		return Result{}, localf("run %s: %v", inv.Argv[0], err)
	}
	return Result{
		Outcome:  stats.CacheMiss,
		Stdout:   stdout.Bytes(),
		Stderr:   stderr.Bytes(),
		ExitCode: cmd.ProcessState.ExitCode(),
		// The compile's time, for the stats, travels with the result.
		CompileTime: took,
	}, nil
}

func fill(ctx context.Context, c *client.Client, dir string, plan *actionPlan, res Result) error {
	fn, err := c.Function(ctx)
	if err != nil {
		return err
	}
	ar := &repb.ActionResult{ExitCode: 0, ExecutionMetadata: localMetadata(res.CompileTime)}
	var blobs []client.Blob
	for _, out := range plan.outputs {
		blob, err := outputBlob(fn, filepath.Join(dir, out), plan.portable && slices.Contains(plan.pathOutputs, out), plan)
		if err != nil {
			return fmt.Errorf("output %s: %w", out, err)
		}
		blobs = append(blobs, blob)
		ar.OutputFiles = append(ar.OutputFiles, &repb.OutputFile{Path: out, Digest: blob.Digest.Proto()})
	}
	stdout, stderr := res.Stdout, res.Stderr
	if plan.portable {
		stdout, stderr = plan.portabilize(stdout), plan.portabilize(stderr)
	}
	for _, stream := range []struct {
		data []byte
		set  func(*repb.Digest)
	}{
		{stdout, func(d *repb.Digest) { ar.StdoutDigest = d }},
		{stderr, func(d *repb.Digest) { ar.StderrDigest = d }},
	} {
		d := fn.FromBytes(stream.data)
		blobs = append(blobs, client.Blob{Digest: d, Data: stream.data})
		stream.set(d.Proto())
	}
	// The Action and Command go up too: some servers check an action
	// result's action exists, and they make the entry inspectable.
	blobs = append(blobs, plan.messages...)
	if err := c.Upload(ctx, blobs); err != nil {
		return err
	}
	return c.UpdateActionResult(ctx, plan.actionDigest, ar)
}

// outputBlob describes one local output for upload; a portable dep file is
// stored with the placeholder in place of the local root, as a remote
// compile would have left it.
func outputBlob(fn digest.Function, path string, portable bool, plan *actionPlan) (client.Blob, error) {
	if !portable {
		d, err := fn.FromFile(path)
		return client.Blob{Digest: d, Path: path}, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return client.Blob{}, err
	}
	data = plan.portabilize(data)
	return client.Blob{Digest: fn.FromBytes(data), Data: data}, nil
}

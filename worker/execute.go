package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/lookups/accountmeta"
	"github.com/rexbuild/rex/workerpb"
)

// execute runs a lease's action and returns the report of its ActionResult
// (empty when the command never ran), a status error (set when the action
// could not run, or ran into its timeout or a limit), and the action's
// directory, for the caller to remove ("" when none was made).
func (r *runner) execute(ctx context.Context, lease *workerpb.LeaseResponse) (report, string, error) {
	if err := r.sandbox.refuse(); err != nil {
		return report{}, "", err
	}
	meta := &repb.ExecutedActionMetadata{Worker: r.opts.ID, WorkerStartTimestamp: timestamppb.Now()}
	store, fn, err := r.cas.forLease(ctx, lease)
	if err != nil {
		return report{}, "", err
	}
	ld := lease.GetActionDigest()
	ad, err := digest.New(ld.GetHash(), ld.GetSizeBytes())
	if err != nil {
		return report{}, "", withCode(codes.InvalidArgument, fmt.Errorf("lease action digest: %w", err))
	}
	action, cmd, err := readAction(ctx, store, ad)
	if err != nil {
		return report{}, "", err
	}
	dir, err := os.MkdirTemp(r.actionsDir(), leaseDirName(lease.GetLeaseId()))
	if err != nil {
		return report{}, "", fmt.Errorf("action directory: %w", err)
	}
	a := &actionRun{store: store, fn: fn, action: action, cmd: cmd, root: filepath.Join(dir, "root"), meta: meta}
	rep, err := r.runAction(ctx, a, lease.GetTimeout().AsDuration())
	return rep, dir, err
}

// actionRun is one action on its way through staging, running, collecting.
type actionRun struct {
	store  casStore
	fn     digest.Function
	action *repb.Action
	cmd    *repb.Command
	root   string // the input root on disk
	meta   *repb.ExecutedActionMetadata
	// lent are the input subtrees that go back to the directory cache.
	lent []lentDir
}

func (r *runner) runAction(ctx context.Context, a *actionRun, timeout time.Duration) (report, error) {
	a.meta.InputFetchStartTimestamp = timestamppb.Now()
	rootDigest, err := digest.FromProto(a.action.GetInputRootDigest())
	if err != nil {
		return report{}, withCode(codes.InvalidArgument, fmt.Errorf("input root digest: %w", err))
	}
	outs, err := r.stage(ctx, a, rootDigest)
	if err != nil {
		return report{}, err
	}
	spec, err := r.execSpec(a, timeout)
	if err != nil {
		return report{}, err
	}
	a.meta.InputFetchCompletedTimestamp = timestamppb.Now()
	watched := r.watch.handFor(ctx, spec)
	if watched != nil {
		spec.Env = append(spec.Env[:len(spec.Env):len(spec.Env)], watched.Env...)
		spec.Extra = watched.Files
	}
	res, err := runCommand(ctx, spec)
	if watched != nil {
		if told, ok := account(watched, spec, outs); ok {
			a.meta.AuxiliaryMetadata = append(a.meta.AuxiliaryMetadata, accountmeta.Any(told))
		}
	}
	if err != nil {
		return report{}, err
	}
	// The action's processes are gone: its subtrees go back as they came,
	// before the quota's walk, which they would only lengthen.
	r.dirs.giveBack(a.lent)
	if err := checkQuota(spec, res); err != nil {
		return report{}, err
	}
	a.meta.ExecutionStartTimestamp = timestamppb.New(res.Start)
	a.meta.ExecutionCompletedTimestamp = timestamppb.New(res.End)
	if res.Overflow {
		return report{}, withCode(codes.ResourceExhausted,
			fmt.Errorf("command wrote more than %d bytes to stdout or stderr", r.opts.MaxOutputBytes))
	}
	ar, err := uploadResult(ctx, a, outs, res)
	if err == nil && res.TimedOut {
		err = withCode(codes.DeadlineExceeded, fmt.Errorf("command killed after %v", spec.Timeout))
	}
	return ar, err
}

// stage lays out the action's input root and its outputs' directories,
// and returns the outputs.
func (r *runner) stage(ctx context.Context, a *actionRun, rootDigest digest.Digest) ([]output, error) {
	wd, outs, err := parseOutputs(a.cmd)
	if err != nil {
		return nil, err
	}
	s := staging{store: a.store, fn: a.fn, cache: r.cache, own: r.sandbox.owner(), link: r.sandbox.jail != nil,
		workDir: underRoot(a.root, wd), trees: r.trees}
	if s.link {
		s.dirs = r.dirs
	}
	for _, o := range outs {
		s.outputs = append(s.outputs, underRoot(a.root, o.rel))
	}
	if a.lent, err = stageInputs(ctx, s, rootDigest, a.root); err != nil {
		return nil, err
	}
	return outs, prepareOutputs(a.root, wd, outs, s.own)
}

// execSpec builds the command line, environment and limits of an action.
func (r *runner) execSpec(a *actionRun, timeout time.Duration) (execSpec, error) {
	wd, err := cleanRel(a.cmd.GetWorkingDirectory())
	if err != nil {
		return execSpec{}, fmt.Errorf("working directory: %w", err)
	}
	dir := underRoot(a.root, wd)
	env := make([]string, 0, len(a.cmd.GetEnvironmentVariables()))
	searchPath := r.opts.DefaultPath
	for _, v := range a.cmd.GetEnvironmentVariables() {
		env = append(env, v.GetName()+"="+v.GetValue())
		if v.GetName() == "PATH" {
			searchPath = v.GetValue()
		}
	}
	args := append([]string(nil), a.cmd.GetArguments()...)
	if len(args) == 0 {
		return execSpec{}, withCode(codes.InvalidArgument, fmt.Errorf("command has no arguments"))
	}
	hermetic := r.sandbox.jail != nil && r.sandbox.jail.hermetic
	resolve := resolveProgram
	if hermetic {
		resolve = hermeticProgram(a.root)
	}
	prog, err := resolve(args[0], dir, searchPath)
	if err != nil {
		return execSpec{}, err
	}
	args[0] = prog
	if timeout <= 0 {
		timeout = r.opts.DefaultTimeout
	}
	var driver string
	if !hermetic {
		driver = driverOf(args, dir, searchPath)
	}
	return execSpec{Args: args, Env: env, Dir: dir, Root: a.root, Hide: r.opts.Dir, Timeout: timeout,
		MaxOutput: r.opts.MaxOutputBytes, Jail: r.sandbox.jail, UID: r.opts.Jail.UID, Hermetic: hermetic, Driver: driver}, nil
}

// readAction fetches and decodes the Action and its Command.
func readAction(ctx context.Context, store casStore, ad digest.Digest) (*repb.Action, *repb.Command, error) {
	action := &repb.Action{}
	if err := readMessage(ctx, store, ad, action); err != nil {
		return nil, nil, fmt.Errorf("action: %w", err)
	}
	cd, err := digest.FromProto(action.GetCommandDigest())
	if err != nil {
		return nil, nil, withCode(codes.InvalidArgument, fmt.Errorf("command digest: %w", err))
	}
	cmd := &repb.Command{}
	if err := readMessage(ctx, store, cd, cmd); err != nil {
		return nil, nil, fmt.Errorf("command: %w", err)
	}
	return action, cmd, nil
}

func readMessage(ctx context.Context, store casStore, d digest.Digest, m proto.Message) error {
	b, err := store.ReadBlob(ctx, d)
	if err != nil {
		return missingAsPrecondition(err)
	}
	if err := proto.Unmarshal(b, m); err != nil {
		return withCode(codes.InvalidArgument, fmt.Errorf("decode %s: %w", d, err))
	}
	return nil
}

// actionsDir holds one directory per running action.
func (r *runner) actionsDir() string { return filepath.Join(r.opts.Dir, actionsSubdir) }

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// leaseDirName makes a lease id safe as a directory name prefix.
func leaseDirName(id string) string {
	name := unsafeNameChars.ReplaceAllString(id, "_")
	if len(name) > 64 {
		name = name[:64]
	}
	return name + "-"
}

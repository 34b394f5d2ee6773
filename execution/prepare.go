package execution

import (
	"context"
	"fmt"
	"io"
	"path"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// prepareJob reads the Action and Command of key from the CAS, checks that
// every input is present and that the request is well formed, and returns
// the job to queue (not yet queued).
func (s *Scheduler) prepareJob(ctx context.Context, key jobKey) (*job, error) {
	var miss missingSet
	if err := s.opts.Command.checkBlobSize("action", key.action); err != nil {
		return nil, err
	}
	action := &repb.Action{}
	if err := s.readMessage(ctx, key.function, key.action, action, "action", &miss); err != nil {
		return nil, err
	}
	if miss.any() {
		return nil, miss.err(key.function)
	}
	cmdDigest, err := digest.FromProto(action.GetCommandDigest())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "action %s: command digest: %v", key.action, err)
	}
	if err := s.opts.Command.checkBlobSize("command", cmdDigest); err != nil {
		return nil, fmt.Errorf("action %s: %w", key.action, err)
	}
	cmd := &repb.Command{}
	if err := s.readMessage(ctx, key.function, cmdDigest, cmd, "command", &miss); err != nil {
		return nil, err
	}
	root, err := digest.FromProto(action.GetInputRootDigest())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "action %s: input root digest: %v", key.action, err)
	}
	if err := s.checkTree(ctx, key.function, root, &miss); err != nil {
		return nil, err
	}
	if miss.any() {
		return nil, miss.err(key.function)
	}
	if err := s.opts.Command.check(cmd); err != nil {
		return nil, fmt.Errorf("action %s: %w", key.action, err)
	}
	if err := checkCommand(cmd); err != nil {
		return nil, fmt.Errorf("action %s: %w", key.action, err)
	}
	timeout, err := s.timeoutOf(action)
	if err != nil {
		return nil, fmt.Errorf("action %s: %w", key.action, err)
	}
	j := newJob(key, repb.ExecutionStage_QUEUED)
	j.platform = platformOf(action, cmd)
	j.timeout = timeout
	j.doNotCache = action.GetDoNotCache()
	return j, nil
}

// readMessage reads blob d and unmarshals it into m. A missing blob is
// recorded in miss (labelled what) rather than returned as an error.
func (s *Scheduler) readMessage(ctx context.Context, fn digest.Function, d digest.Digest, m proto.Message, what string, miss *missingSet) error {
	if d == fn.Empty() {
		return nil // the empty message; stores need not hold the empty blob
	}
	b, err := s.readBlob(ctx, cas.Key{Function: fn, Digest: d})
	if status.Code(err) == codes.NotFound {
		miss.add(d, what)
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s %s: %w", what, d, err)
	}
	if err := proto.Unmarshal(b, m); err != nil {
		return status.Errorf(codes.InvalidArgument, "%s %s is not a valid %T: %v", what, d, m, err)
	}
	return nil
}

// readBlob reads a whole small blob.
func (s *Scheduler) readBlob(ctx context.Context, k cas.Key) ([]byte, error) {
	r, err := s.blobs.Get(ctx, k, 0)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, k.Digest.Size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != k.Digest.Size {
		return nil, status.Errorf(codes.DataLoss, "blob %s: read %d bytes", k, len(b))
	}
	return b, nil
}

// timeoutOf returns the action's timeout, or the default when it has none.
// The spec requires rejecting a timeout above the server's maximum rather
// than silently shortening it, so that is INVALID_ARGUMENT.
func (s *Scheduler) timeoutOf(a *repb.Action) (time.Duration, error) {
	if a.GetTimeout() == nil {
		return s.opts.DefaultTimeout, nil
	}
	if err := a.GetTimeout().CheckValid(); err != nil {
		return 0, status.Errorf(codes.InvalidArgument, "timeout: %v", err)
	}
	t := a.GetTimeout().AsDuration()
	switch {
	case t < 0:
		return 0, status.Errorf(codes.InvalidArgument, "timeout %v is negative", t)
	case t == 0:
		return s.opts.DefaultTimeout, nil
	case t > s.opts.MaxTimeout:
		return 0, status.Errorf(codes.InvalidArgument, "timeout %v exceeds the server's maximum %v", t, s.opts.MaxTimeout)
	}
	return t, nil
}

// checkCommand rejects commands a worker could not run. Outputs may be
// named by output_paths (REAPI v2.1+) or by the older output_files and
// output_directories, which Bazel still sends; both are accepted.
func checkCommand(c *repb.Command) error {
	if len(c.GetArguments()) == 0 || c.GetArguments()[0] == "" {
		return status.Error(codes.InvalidArgument, "command has no arguments")
	}
	outs := c.GetOutputPaths()
	if len(outs) == 0 {
		outs = append(append([]string(nil), c.GetOutputFiles()...), c.GetOutputDirectories()...)
	}
	if path.IsAbs(c.GetWorkingDirectory()) {
		return status.Errorf(codes.InvalidArgument, "working directory %q is absolute", c.GetWorkingDirectory())
	}
	for _, o := range outs {
		if err := cas.ValidateOutputPath(o); err != nil {
			return err
		}
	}
	return nil
}

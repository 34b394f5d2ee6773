package client

import (
	"context"
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// GetActionResult looks action up in the action cache. A miss is (nil, nil).
// Stdout and stderr are asked inline, and so are the output files named in
// inlineOutputs; the server may still answer with digests only.
func (c *Client) GetActionResult(ctx context.Context, action digest.Digest, inlineOutputs []string) (*repb.ActionResult, error) {
	fn, err := c.Function(ctx)
	if err != nil {
		return nil, err
	}
	req := &repb.GetActionResultRequest{
		InstanceName:      c.cfg.Instance,
		ActionDigest:      action.Proto(),
		InlineStdout:      true,
		InlineStderr:      true,
		InlineOutputFiles: inlineOutputs,
		DigestFunction:    fn.Proto(),
	}
	var res *repb.ActionResult
	err = c.retry(ctx, c.conn, c.cfg.RPCTimeout, func(ctx context.Context) error {
		var err error
		res, err = c.ac.GetActionResult(ctx, req)
		return err
	})
	if status.Code(err) == codes.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get action result %s: %w", action, err)
	}
	return res, nil
}

// UpdateActionResult stores r as the result of action.
func (c *Client) UpdateActionResult(ctx context.Context, action digest.Digest, r *repb.ActionResult) error {
	fn, err := c.Function(ctx)
	if err != nil {
		return err
	}
	req := &repb.UpdateActionResultRequest{
		InstanceName:   c.cfg.Instance,
		ActionDigest:   action.Proto(),
		ActionResult:   r,
		DigestFunction: fn.Proto(),
	}
	err = c.retry(ctx, c.conn, c.cfg.RPCTimeout, func(ctx context.Context) error {
		_, err := c.ac.UpdateActionResult(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("update action result %s: %w", action, err)
	}
	return nil
}

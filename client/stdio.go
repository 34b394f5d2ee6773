package client

import (
	"context"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// Stdout returns the standard output of r, inline or fetched by digest.
func (c *Client) Stdout(ctx context.Context, r *repb.ActionResult) ([]byte, error) {
	return c.stdStream(ctx, "stdout", r.GetStdoutRaw(), r.GetStdoutDigest())
}

// Stderr returns the standard error of r, inline or fetched by digest.
func (c *Client) Stderr(ctx context.Context, r *repb.ActionResult) ([]byte, error) {
	return c.stdStream(ctx, "stderr", r.GetStderrRaw(), r.GetStderrDigest())
}

// stdStream prefers inline bytes; when a digest is given too, the inline
// bytes must match it.
func (c *Client) stdStream(ctx context.Context, name string, raw []byte, dp *repb.Digest) ([]byte, error) {
	if dp == nil {
		return raw, nil
	}
	d, err := digest.FromProto(dp)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%s digest: %v", name, err)
	}
	if len(raw) == 0 && d.Size > 0 {
		return c.ReadBlob(ctx, d)
	}
	fn, err := c.Function(ctx)
	if err != nil {
		return nil, err
	}
	if got := fn.FromBytes(raw); got != d {
		return nil, status.Errorf(codes.DataLoss, "%s: inline content is %s, want %s", name, got, d)
	}
	return raw, nil
}

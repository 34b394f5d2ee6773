package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/relay"
)

// IsTransient reports whether err is worth retrying: the same request may
// succeed a moment later.
//
//   - Unavailable, ResourceExhausted, Aborted: the server says so.
//   - DeadlineExceeded: one attempt ran out of its own deadline; retry
//     decides separately whether the caller's context still has time.
//
// Internal and Unknown are not retried: they report server bugs or data
// errors that a retry would repeat, and the wrapper falls back to a local
// compile faster than a retry loop would. Canceled is the caller's choice.
func IsTransient(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.Aborted, codes.DeadlineExceeded:
		return true
	}
	return false
}

const (
	backoffBase = 50 * time.Millisecond
	backoffMax  = 2 * time.Second
)

// backoff returns the pause before attempt n+1 (n >= 1): exponential with
// full jitter in [d/2, d).
func backoff(n int) time.Duration {
	d := backoffMax
	if n <= 16 { // beyond, the shift would overflow; the cap applies anyway
		d = min(backoffBase<<(n-1), backoffMax)
	}
	return d/2 + rand.N(d/2)
}

// retry runs fn with a fresh per-attempt deadline until it succeeds, fails
// permanently, runs out of attempts, or ctx ends.
//
// Fail fast on a dead server: when an attempt fails with Unavailable and
// the connection is in TRANSIENT_FAILURE (it could not connect at all, e.g.
// connection refused), retry gives up at once instead of backing off. gRPC
// itself would answer further attempts from its own reconnect backoff (1 s
// and up) with the same error, and the wrapper must fall back to a local
// compile in milliseconds. A relay that cannot reach the server says so
// (relay.Unreachable): the same. A server that answers but is busy is
// retried.
func (c *Client) retry(ctx context.Context, conn *grpc.ClientConn, timeout time.Duration, fn func(ctx context.Context) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		err = fn(actx)
		cancel()
		var refused *batchRefusedError
		if err == nil || !IsTransient(err) || attempt >= c.cfg.MaxAttempts || errors.As(err, &refused) {
			return err
		}
		if ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		if status.Code(err) == codes.Unavailable && conn != nil && (conn.GetState() == connectivity.TransientFailure ||
			strings.Contains(status.Convert(err).Message(), relay.Unreachable)) {
			return err
		}
		t := time.NewTimer(backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

// batchRefusedError is a batch request the server refused as too large
// (ResourceExhausted or InvalidArgument) while rex did not know its limit.
// It is not retried as is: learnBatchLimit asks Capabilities and the caller
// splits again.
type batchRefusedError struct{ err error }

func (e *batchRefusedError) Error() string { return e.err.Error() }
func (e *batchRefusedError) Unwrap() error { return e.err }

// checkBatchRefused wraps err in batchRefusedError when it may mean "batch
// too large" and the server's limit is still unknown.
func (c *Client) checkBatchRefused(err error) error {
	switch status.Code(err) {
	case codes.ResourceExhausted, codes.InvalidArgument:
		if !c.limitKnown() {
			return &batchRefusedError{err}
		}
	}
	return err
}

// learnBatchLimit reports whether err is a refused batch and Capabilities
// lowered the batch limit, so that splitting again can succeed.
func (c *Client) learnBatchLimit(ctx context.Context, err error) bool {
	var refused *batchRefusedError
	if !errors.As(err, &refused) {
		return false
	}
	before := c.batchLimit()
	if _, err := c.Capabilities(ctx); err != nil {
		return false
	}
	return c.batchLimit() < before
}

package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

func TestIsTransient(t *testing.T) {
	cases := map[error]bool{
		status.Error(codes.Unavailable, "x"):                                true,
		status.Error(codes.ResourceExhausted, "x"):                          true,
		status.Error(codes.Aborted, "x"):                                    true,
		status.Error(codes.DeadlineExceeded, "x"):                           true,
		fmt.Errorf("wrapped: %w", status.Error(codes.Unavailable, "x")):     true,
		errors.Join(status.Error(codes.Unavailable, "x"), context.Canceled): true,
		status.Error(codes.Internal, "x"):                                   false,
		status.Error(codes.NotFound, "x"):                                   false,
		status.Error(codes.InvalidArgument, "x"):                            false,
		status.Error(codes.FailedPrecondition, "x"):                         false,
		status.Error(codes.Canceled, "x"):                                   false,
		io.EOF:                                                              false,
		nil:                                                                 false,
	}
	for err, want := range cases {
		if got := IsTransient(err); got != want {
			t.Errorf("IsTransient(%v) = %v, want %v", err, got, want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	for n := 1; n < 70; n++ {
		d := backoff(n)
		ceiling := backoffMax
		if n < 10 {
			ceiling = min(backoffBase<<(n-1), backoffMax)
		}
		if d < ceiling/2 || d >= ceiling {
			t.Fatalf("backoff(%d) = %v, want in [%v, %v)", n, d, ceiling/2, ceiling)
		}
	}
}

// TestRetryPolicy: a transient error is retried up to MaxAttempts, a
// permanent one is returned at once, and a short caller deadline wins.
func TestRetryPolicy(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{MaxAttempts: 3})
	ctx := context.Background()
	d := []digest.Digest{digest.SHA256.FromBytes([]byte("x"))}

	f.findErr = func(n int) error {
		if n < 3 {
			return status.Error(codes.Unavailable, "busy")
		}
		return nil
	}
	if _, err := c.FindMissing(ctx, d); err != nil || f.findCalls != 3 {
		t.Errorf("two busy answers: err %v after %d calls, want success on the 3rd", err, f.findCalls)
	}

	f.findCalls = 0
	f.findErr = func(int) error { return status.Error(codes.ResourceExhausted, "busy") }
	if _, err := c.FindMissing(ctx, d); status.Code(err) != codes.ResourceExhausted || f.findCalls != 3 {
		t.Errorf("always busy: err %v after %d calls, want ResourceExhausted after 3", err, f.findCalls)
	}

	f.findCalls = 0
	f.findErr = func(int) error { return status.Error(codes.PermissionDenied, "no") }
	if _, err := c.FindMissing(ctx, d); status.Code(err) != codes.PermissionDenied || f.findCalls != 1 {
		t.Errorf("permanent: err %v after %d calls, want PermissionDenied after 1", err, f.findCalls)
	}

	slow := f.start(t, Config{MaxAttempts: 100})
	f.findErr = func(int) error { return status.Error(codes.Unavailable, "busy") }
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := slow.FindMissing(ctx, d)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("caller deadline: err %v after %v", err, time.Since(start))
	}
}

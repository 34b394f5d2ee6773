package cas

import (
	"errors"
	"fmt"
	"syscall"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// StatusWrap gives an error from the file system its gRPC code where it
// starts, so that clients see why a write failed: a full disk or an
// exhausted quota is ResourceExhausted (eviction may make room, and the
// client may retry), an error that already carries a code keeps it, and any
// other OS error is Internal. The cause stays reachable through errors.Is
// and errors.As, so the store can still react to ENOSPC itself.
func StatusWrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	if _, ok := status.FromError(err); ok && status.Code(err) != codes.Unknown {
		return fmt.Errorf("%s: %w", msg, err)
	}
	code := codes.Internal
	if isNoSpace(err) {
		code = codes.ResourceExhausted
	}
	return &codedError{code: code, err: fmt.Errorf("%s: %w", msg, err)}
}

// isNoSpace reports whether err means the disk or the quota is full.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// codedError is an error with a gRPC code that still unwraps to its cause.
type codedError struct {
	code codes.Code
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }

func (e *codedError) Unwrap() error { return e.err }

// GRPCStatus lets status.Code and status.Convert see the code.
func (e *codedError) GRPCStatus() *status.Status { return status.New(e.code, e.err.Error()) }

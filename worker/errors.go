package worker

import (
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// codedError gives an error a gRPC code where its meaning becomes known,
// while keeping the chain intact for errors.Is and %w.
type codedError struct {
	code codes.Code
	err  error
}

// withCode marks err with code; status.Code(err) then reports it.
func withCode(code codes.Code, err error) error { return &codedError{code: code, err: err} }

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// GRPCStatus lets status.Code and status.FromError see the code.
func (e *codedError) GRPCStatus() *status.Status { return status.New(e.code, e.err.Error()) }

// errorCode is the code Complete reports for err: the one set where the
// error started, else INTERNAL.
func errorCode(err error) codes.Code {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		return se.GRPCStatus().Code()
	}
	return codes.Internal
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// signalError is the cause of a context ended by a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "interrupted by " + e.sig.String() }

// interruptible returns a context that ends when rex gets SIGINT or
// SIGTERM, with a signalError as its cause. The remote calls and the
// dependency scan stop with it; rex then dies by the same signal (see
// dieBy), as the compiler it stands for would have.
func interruptible() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		if s, ok := <-sigs; ok {
			cancel(signalError{s.(syscall.Signal)})
		}
	}()
	return ctx, func() { signal.Stop(sigs); close(sigs) }
}

// dieBy ends rex by the signal that interrupted it, so that make and the
// shell see what they see of an interrupted gcc (which re-raises it too):
// a death by SIGINT, reported as 130, or SIGTERM, 143.
func dieBy(cause error) {
	sig := syscall.SIGINT
	if se, ok := cause.(signalError); ok {
		sig = se.sig
	}
	signal.Reset(sig)
	syscall.Kill(os.Getpid(), sig)
	// The signal reaches some thread of the process, not necessarily this
	// one, and not necessarily before Kill returns: give it a moment. The
	// exit below is for a signal that is ignored or blocked.
	time.Sleep(time.Second)
	fmt.Fprintf(os.Stderr, "rex: %v\n", cause)
	os.Exit(128 + int(sig))
}

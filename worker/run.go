package worker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
)

// execSpec is one command to run, already resolved against the action.
type execSpec struct {
	Args      []string // Args[0] resolved to a path (see resolveProgram)
	Env       []string
	Dir       string // absolute working directory
	Root      string // the action's directory: the only writable place when isolated
	Hide      string // when isolated, a directory made to look empty (all actions)
	Timeout   time.Duration
	MaxOutput int64 // per stream
	Jail      *jail // nil: run unisolated
	UID       int   // in the jail, the user the command runs as
	Hermetic  bool  // in the jail, Root is the command's "/"
	// Driver is the compiler driver the command runs, when the worker
	// may watch its lookups (see watch.go); Extra are files the command
	// inherits from descriptor 3 on.
	Driver string
	Extra  []*os.File
}

// execResult is what a command that ran produced.
type execResult struct {
	ExitCode       int32
	Stdout, Stderr []byte
	Signal         syscall.Signal // what killed the command, if a signal did
	TimedOut       bool           // killed at the deadline; the result is partial
	Overflow       bool           // stdout or stderr exceeded MaxOutput
	Start, End     time.Time
}

// waitDelay bounds how long Wait reads the pipes after the command exits
// while processes it left behind still hold them.
const waitDelay = 2 * time.Second

// runCommand runs spec in its own process group. The timeout and the
// cancellation of ctx kill the whole group. An error means the command did
// not run (or ctx was cancelled); a non-zero exit is a result.
func runCommand(ctx context.Context, spec execSpec) (execResult, error) {
	runCtx, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	// Output over the cap fails the action anyway: stop the command now.
	stdout := &cappedBuffer{limit: spec.MaxOutput, full: cancel}
	stderr := &cappedBuffer{limit: spec.MaxOutput, full: cancel}
	newCmd := func() *exec.Cmd { return newExecCmd(runCtx, spec, stdout, stderr) }
	res := execResult{Start: time.Now()}
	var err error
	switch {
	case spec.Jail != nil:
		err = errSpawnerGone
		if spec.Jail.spawner.alive() {
			err = spec.Jail.spawner.run(runCtx, spec, stdout, stderr)
		}
		if errors.Is(err, errSpawnerGone) {
			err = runIsolated(spec, newCmd)
		}
	default:
		err = startAndWait(newCmd, nil)
	}
	res.End = time.Now()
	res.Stdout, res.Stderr = stdout.buf, stderr.buf
	res.Overflow = stdout.overflow || stderr.overflow
	if ctx.Err() != nil {
		return res, fmt.Errorf("command abandoned: %w", context.Cause(ctx))
	}
	res.TimedOut = errors.Is(runCtx.Err(), context.DeadlineExceeded)
	ws, ended := endStatus(err)
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
	case ended:
		res.ExitCode = statusCode(ws)
		if ws.Signaled() {
			res.Signal = ws.Signal()
		}
	case res.TimedOut || res.Overflow:
		res.ExitCode = -1
	default:
		return res, err
	}
	return res, nil
}

func newExecCmd(ctx context.Context, spec execSpec, stdout, stderr *cappedBuffer) *exec.Cmd {
	cmd := exec.CommandContext(ctx, spec.Args[0])
	cmd.Args = spec.Args
	cmd.Env = spec.Env
	if cmd.Env == nil {
		cmd.Env = []string{} // nil would mean the worker's own environment
	}
	cmd.Dir = spec.Dir
	cmd.ExtraFiles = spec.Extra
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = waitDelay
	return cmd
}

// killGroup kills the command's whole process group, so that children it
// forked die with it.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// startAttempts bounds the retries of a start that failed with ETXTBSY: an
// executable just staged may still be open for writing in a process another
// goroutine is forking (golang/go#22315); that clears within milliseconds.
const startAttempts = 10

// startAndWait starts a command made by newCmd, retrying on ETXTBSY, calls
// started (if not nil) with it, waits for it, and kills what is left of its
// process group.
func startAndWait(newCmd func() *exec.Cmd, started func(*exec.Cmd) error) error {
	var cmd *exec.Cmd
	for i := 0; ; i++ {
		cmd = newCmd()
		err := cmd.Start()
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.ETXTBSY) || i == startAttempts-1 {
			return startError(err)
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	if started != nil {
		if err := started(cmd); err != nil {
			killGroup(cmd)
			cmd.Wait()
			return err
		}
	}
	err := cmd.Wait()
	killGroup(cmd)
	return err
}

// startError marks a command that could not start as the action's fault.
func startError(err error) error {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, exec.ErrNotFound) ||
		errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.ENOEXEC) {
		return withCode(codes.InvalidArgument, fmt.Errorf("start command: %w", err))
	}
	return fmt.Errorf("start command: %w", err)
}

// endStatus is how a command that ran ended, from the error its run
// returned: an *exec.ExitError when the worker started it, a *spawnExit
// when the spawner did.
func endStatus(err error) (syscall.WaitStatus, bool) {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		ws, ok := exit.Sys().(syscall.WaitStatus)
		return ws, ok
	}
	var spawned *spawnExit
	if errors.As(err, &spawned) {
		return spawned.status, true
	}
	return 0, false
}

// statusCode is a command's exit code as a shell gives it: 128 plus the
// signal that killed it.
func statusCode(ws syscall.WaitStatus) int32 {
	if ws.Signaled() {
		return 128 + int32(ws.Signal())
	}
	return int32(ws.ExitStatus())
}

// cappedBuffer keeps up to limit bytes and notes whether more came,
// calling full the first time.
type cappedBuffer struct {
	limit    int64
	full     func()
	buf      []byte
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	room := b.limit - int64(len(b.buf))
	if int64(len(p)) > room {
		if !b.overflow && b.full != nil {
			b.full()
		}
		b.overflow = true
		p = p[:max(room, 0)]
	}
	b.buf = append(b.buf, p...)
	return n, nil
}

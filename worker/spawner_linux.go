package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"
)

// spawner is a small helper process (this binary, run with SpawnerArg)
// that starts the jailed commands for the worker. A process that starts a
// command in a user namespace of its own cannot share its memory with the
// child until the exec (Go's os/exec forks it whole: the child waits for
// its user and group mappings), so every start copied the page tables of
// the worker's whole heap, and every page the worker wrote afterwards
// took a copy-on-write fault; inside rex-server, with its tens of MB of
// heap, that was about half of its own CPU per action. Forked from the
// spawner, whose heap is a few MB, a start costs a fraction of that. The
// spawner builds the same jail from the same options; the worker still
// stages, times and reads each command.
type spawner struct {
	ctl  int // SOCK_SEQPACKET: one message per command, carrying its sockets
	proc *os.Process
	// gone: the spawner stopped answering; commands start from the
	// worker again.
	gone atomic.Bool
}

// spawnRequest is a command for the spawner: execSpec's fields that it
// needs (the jail is its own, built from the same options).
type spawnRequest struct {
	Args, Env            []string
	Dir, Root, Hide      string
	UID                  int
	Hermetic             bool
	WaitDelayNanoseconds int64
}

// spawnReply is how the command ended: a wait status, or an error with its
// gRPC code when it did not run.
type spawnReply struct {
	Status  uint32
	Err     string
	ErrCode codes.Code
}

// spawnerConfig is what the spawner builds its jail from.
type spawnerConfig struct {
	Dir         string
	Jail        JailOptions
	Concurrency int
}

// startSpawner runs command (this binary with SpawnerArg) as the spawner
// for opts' jail. It exits when the worker closes its socket, or dies.
func startSpawner(command []string, opts Options) (*spawner, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("spawner socket: %w", err)
	}
	theirs := os.NewFile(uintptr(fds[1]), "spawner")
	defer theirs.Close()
	cmd := exec.Command(command[0], command[1:]...)
	cmd.ExtraFiles = []*os.File{theirs}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("start spawner: %w", err)
	}
	go cmd.Wait() // reaps it once the worker closes its socket
	s := &spawner{ctl: fds[0], proc: cmd.Process}
	cfg, _ := json.Marshal(spawnerConfig{Dir: opts.Dir, Jail: opts.Jail, Concurrency: opts.Concurrency})
	if err := unix.Sendmsg(s.ctl, cfg, nil, nil, 0); err != nil {
		s.close()
		return nil, fmt.Errorf("configure spawner: %w", err)
	}
	return s, nil
}

// close ends the spawner: it exits when its socket closes.
func (s *spawner) close() { unix.Close(s.ctl) }

// alive reports whether commands should go to s (nil: there is none).
func (s *spawner) alive() bool { return s != nil && !s.gone.Load() }

// run has the spawner run spec in its jail, copying the command's output
// to stdout and stderr, and returns what runIsolated would: nil, a
// *spawnExit for a non-zero exit, or the error that kept it from running.
// Cancelling ctx kills the command's process group.
func (s *spawner) run(ctx context.Context, spec execSpec, stdout, stderr io.Writer) error {
	conn, outR, errR, err := s.send(spec.Extra)
	if err != nil {
		s.gone.Store(true)
		return fmt.Errorf("%w: %w", errSpawnerGone, err)
	}
	defer conn.Close()
	sock := int(conn.Fd())
	copied := make(chan struct{}, 2)
	for _, c := range []struct {
		w io.Writer
		r *os.File
	}{{stdout, outR}, {stderr, errR}} {
		go func() { io.Copy(c.w, c.r); c.r.Close(); copied <- struct{}{} }()
	}
	req := spawnRequest{Args: spec.Args, Env: spec.Env, Dir: spec.Dir, Root: spec.Root, Hide: spec.Hide,
		UID: spec.UID, Hermetic: spec.Hermetic, WaitDelayNanoseconds: int64(waitDelay)}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return fmt.Errorf("sandbox: send to spawner: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { unix.Shutdown(sock, unix.SHUT_WR) })
	var rep spawnReply
	err = json.NewDecoder(conn).Decode(&rep)
	stop()
	if err != nil {
		s.gone.Store(true)
		return fmt.Errorf("sandbox: the spawner did not answer: %w", err)
	}
	// As exec.Cmd's WaitDelay: the output of a command that is gone is
	// read to its end, unless something it left behind holds the pipes.
	timer := time.NewTimer(waitDelay)
	defer timer.Stop()
	for range 2 {
		select {
		case <-copied:
		case <-timer.C:
			outR.Close()
			errR.Close()
			<-copied
		}
	}
	return rep.result()
}

// send makes a command's sockets and pipes and hands the spawner its ends,
// with the extra files the command inherits.
func (s *spawner) send(extra []*os.File) (conn, outR, errR *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	conn, theirs := os.NewFile(uintptr(fds[0]), "spawn"), os.NewFile(uintptr(fds[1]), "spawn")
	defer theirs.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	defer outW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		conn.Close()
		outR.Close()
		return nil, nil, nil, err
	}
	defer errW.Close()
	handed := []int{int(theirs.Fd()), int(outW.Fd()), int(errW.Fd())}
	for _, f := range extra {
		handed = append(handed, int(f.Fd()))
	}
	rights := unix.UnixRights(handed...)
	if err := unix.Sendmsg(s.ctl, []byte{1}, rights, nil, 0); err != nil {
		conn.Close()
		outR.Close()
		errR.Close()
		return nil, nil, nil, fmt.Errorf("hand a command to the spawner: %w", err)
	}
	return conn, outR, errR, nil
}

// result is the reply as runIsolated's error.
func (r spawnReply) result() error {
	if r.Err != "" {
		return withCode(r.ErrCode, errors.New(r.Err))
	}
	if ws := syscall.WaitStatus(r.Status); ws.Exited() && ws.ExitStatus() == 0 {
		return nil
	}
	return &spawnExit{status: syscall.WaitStatus(r.Status)}
}

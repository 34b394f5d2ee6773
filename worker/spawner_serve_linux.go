package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// spawnerFd is the spawner's socket to its worker (the first ExtraFiles).
const spawnerFd = 3

// maxSpawnFds bounds the descriptors a command comes with: its socket,
// stdout, stderr, and the files it inherits (the lookup library's two).
const maxSpawnFds = 8

// RunSpawner serves the worker that started this process: it builds the
// jail from the worker's options, then runs each command the worker hands
// it, until the worker closes the socket.
func RunSpawner() error {
	buf := make([]byte, 1<<16)
	n, _, _, _, err := unix.Recvmsg(spawnerFd, buf, nil, 0)
	if err != nil || n == 0 {
		return fmt.Errorf("spawner: read configuration: %v", err)
	}
	var cfg spawnerConfig
	if err := json.Unmarshal(buf[:n], &cfg); err != nil {
		return fmt.Errorf("spawner: configuration: %w", err)
	}
	j, err := newJail(Options{Dir: cfg.Dir, Jail: cfg.Jail, Concurrency: cfg.Concurrency})
	if err != nil {
		return fmt.Errorf("spawner: %w", err)
	}
	oob := make([]byte, unix.CmsgSpace(maxSpawnFds*4))
	for {
		// The sockets of one command must not reach the others: received
		// close-on-exec, each reaches only the command it is dup'ed into.
		n, oobn, _, _, err := unix.Recvmsg(spawnerFd, buf[:1], oob, unix.MSG_CMSG_CLOEXEC)
		if err != nil || n == 0 {
			return nil // the worker is gone or done
		}
		fds, err := receivedFds(oob[:oobn])
		if err != nil || len(fds) < 3 || len(fds) > maxSpawnFds {
			for _, fd := range fds {
				unix.Close(fd)
			}
			return fmt.Errorf("spawner: a command came without its sockets: %v", err)
		}
		var extra []*os.File
		for _, fd := range fds[3:] {
			extra = append(extra, os.NewFile(uintptr(fd), "extra"))
		}
		go serveCommand(j, os.NewFile(uintptr(fds[0]), "worker"),
			os.NewFile(uintptr(fds[1]), "stdout"), os.NewFile(uintptr(fds[2]), "stderr"), extra)
	}
}

func receivedFds(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, m := range msgs {
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			return fds, err
		}
		fds = append(fds, got...)
	}
	return fds, nil
}

// serveCommand runs one command in the jail, its output on stdout and
// stderr, and answers on conn. The worker shutting its side of conn (or
// going away) kills the command.
func serveCommand(j *jail, conn, stdout, stderr *os.File, extra []*os.File) {
	defer conn.Close()
	defer func() {
		for _, f := range extra {
			f.Close()
		}
	}()
	dec := json.NewDecoder(conn)
	var req spawnRequest
	if err := dec.Decode(&req); err != nil {
		stdout.Close()
		stderr.Close()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, io.MultiReader(dec.Buffered(), conn))
		cancel()
	}()
	spec := execSpec{Args: req.Args, Env: req.Env, Dir: req.Dir, Root: req.Root, Hide: req.Hide,
		Jail: j, UID: req.UID, Hermetic: req.Hermetic}
	err := runIsolated(spec, func() *exec.Cmd {
		cmd := exec.CommandContext(ctx, spec.Args[0])
		cmd.Args = append([]string(nil), spec.Args...)
		cmd.Env = spec.Env
		if cmd.Env == nil {
			cmd.Env = []string{}
		}
		cmd.Dir = spec.Dir
		cmd.ExtraFiles = extra
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return killGroup(cmd) }
		cmd.WaitDelay = time.Duration(req.WaitDelayNanoseconds)
		return cmd
	})
	stdout.Close()
	stderr.Close()
	json.NewEncoder(conn).Encode(replyOf(err))
}

// replyOf is runIsolated's outcome as the worker's reply.
func replyOf(err error) spawnReply {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return spawnReply{}
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok {
			return spawnReply{Status: uint32(ws)}
		}
	case errors.Is(err, exec.ErrWaitDelay):
		return spawnReply{}
	}
	return spawnReply{Err: err.Error(), ErrCode: errorCode(err)}
}

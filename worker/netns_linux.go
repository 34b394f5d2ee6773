package worker

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// netnsPool keeps network namespaces for actions to run in, one action at a
// time each: creating a namespace and tearing it down after every action
// costs about a millisecond, as much as the rest of the jail. A namespace
// goes back to the pool only once its action's PID namespace is gone, and
// with it every process of the action and so every socket: the next action
// finds it as new, with nothing but a loopback interface, down, that no
// action may bring up (the namespace belongs to the host's user namespace,
// in which actions have no capabilities). Two actions that run at once
// never share one.
type netnsPool struct {
	free chan int // descriptors of idle namespaces
}

func newNetnsPool(size int) *netnsPool { return &netnsPool{free: make(chan int, size)} }

// enter moves the calling thread, locked and never reused, into an idle
// namespace of the pool, or into a new one when none is idle. It returns
// the namespace's descriptor, to give back with put.
func (p *netnsPool) enter() (int, error) {
	select {
	case fd := <-p.free:
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("enter network namespace: %w", err)
		}
		return fd, nil
	default:
	}
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return -1, fmt.Errorf("unshare network namespace: %w", err)
	}
	fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open network namespace: %w", err)
	}
	return fd, nil
}

// put gives back the namespace of an action whose processes are all gone.
func (p *netnsPool) put(fd int) {
	select {
	case p.free <- fd:
	default:
		unix.Close(fd)
	}
}

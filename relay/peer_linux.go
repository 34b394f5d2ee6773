package relay

import "golang.org/x/sys/unix"

// socketPeerUID is the user of the peer of the unix socket fd, from the
// credentials the kernel took when the peer connected; -1 if unknown.
func socketPeerUID(fd int) int {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return -1
	}
	return int(cred.Uid)
}

//go:build darwin || freebsd

package relay

import "golang.org/x/sys/unix"

// xucredVersion is XUCRED_VERSION of <sys/ucred.h> on macOS and FreeBSD:
// the layout of struct xucred that x/sys/unix reads.
const xucredVersion = 0

// socketPeerUID is the user of the peer of the unix socket fd, from the
// credentials the kernel took when the peer connected (LOCAL_PEERCRED);
// -1 if unknown, or in a layout this code does not know.
func socketPeerUID(fd int) int {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil || cred.Version != xucredVersion {
		return -1
	}
	return int(cred.Uid)
}

//go:build !linux && !darwin

package osfamily

import "runtime"

// name is the system's own name, which the platform lexicon uses for
// FreeBSD and recommends for other POSIX systems (uname -s in lower case).
const name = runtime.GOOS

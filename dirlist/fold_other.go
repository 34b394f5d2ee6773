//go:build !linux

package dirlist

// foldsNames says that a lookup may find an entry of another spelling:
// macOS's default volumes match names without case and Unicode
// normalisation, as a ZFS dataset may on FreeBSD. A listing's names then
// say only what is surely absent.
const foldsNames = true

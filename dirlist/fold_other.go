//go:build !linux

package dirlist

// FoldsNames says whether a lookup may find an entry spelled otherwise
// than the name looked up, so that a listing's names say only which are
// surely absent: macOS's default volumes match names without case and
// Unicode normalisation, as a ZFS dataset may on FreeBSD.
const FoldsNames = true

package worker

import "golang.org/x/sys/unix"

// subtreeID tells the top directory of a lent subtree from any other: the
// directory holding it is the action's, so the action may rename the
// subtree away and leave another directory under its name.
type subtreeID struct{ dev, ino uint64 }

// subtreeIDOf returns the identity of the directory at p, and false unless
// it is a directory of the worker's that no one else may write: one the
// action made (even after removing an empty subtree, whose inode number it
// may then get again) is the action's.
func subtreeIDOf(p string) (subtreeID, bool) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return subtreeID{}, false
	}
	ok := st.Mode&unix.S_IFMT == unix.S_IFDIR && int(st.Uid) == unix.Geteuid() && st.Mode&0o022 == 0
	return subtreeID{dev: st.Dev, ino: st.Ino}, ok
}

//go:build darwin || freebsd

package dirlist

import "syscall"

// FromSys is the Stat of what syscall's stat said.
func FromSys(st *syscall.Stat_t) Stat {
	return Stat{Size: st.Size, Mtime: st.Mtimespec.Nano(), Ctime: st.Ctimespec.Nano(), Dev: uint64(st.Dev), Ino: st.Ino}
}

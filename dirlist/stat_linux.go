package dirlist

import "syscall"

// FromSys is the Stat of what syscall's stat said.
func FromSys(st *syscall.Stat_t) Stat {
	return Stat{Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(), Dev: uint64(st.Dev), Ino: st.Ino}
}

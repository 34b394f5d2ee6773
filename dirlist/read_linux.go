package dirlist

import (
	"encoding/binary"
	"errors"
	"strings"
	"syscall"
)

// read lists dir from its raw entries: one string holds every name, and
// the set refers into it, so that the thousands of names of a directory
// such as the kernel's include/linux cost one allocation, not one each.
// ok is false unless the directory opened is the one stated as st (see
// opened).
func read(dir string, st Stat) (*Names, bool) {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	if !opened(fd, st) {
		return nil, false
	}
	var raw []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, false
		}
		if n <= 0 {
			break
		}
		raw = append(raw, buf[:n]...)
	}
	return parse(string(raw))
}

// parse reads the linux_dirent64 records of s: d_ino (8 bytes), d_off (8),
// d_reclen (2), d_type (1), then the name, NUL-terminated and padded. ok
// is false for a malformed record.
func parse(s string) (*Names, bool) {
	const nameOff = 19
	set := make(map[string]struct{}, len(s)/32)
	for len(s) > 0 {
		if len(s) < nameOff {
			return nil, false
		}
		reclen := int(binary.NativeEndian.Uint16([]byte{s[16], s[17]}))
		if reclen <= nameOff || reclen > len(s) {
			return nil, false
		}
		name := s[nameOff:reclen]
		if i := strings.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if name != "." && name != ".." {
			set[name] = struct{}{}
		}
		s = s[reclen:]
	}
	return newNames(set), true
}

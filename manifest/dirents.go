package manifest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"syscall"
)

// entriesAmong returns which of wanted are names in dir (none when it does
// not exist); listed is false when dir cannot be read. It reads the
// directory's raw entries, so that the thousands of names of a directory
// such as the kernel's include/linux cost no string each, only the few
// hundred a compile looks up there.
func entriesAmong(dir string, wanted map[string]bool) (found map[string]bool, listed bool) {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return map[string]bool{}, true
	}
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	found = map[string]bool{}
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
			return found, true
		}
		if !direntNames(buf[:n], wanted, found) {
			return nil, false
		}
	}
}

// direntNames adds the names of b's linux_dirent64 records that are wanted
// to found. A record is d_ino (8 bytes), d_off (8), d_reclen (2), d_type
// (1), then the name, NUL-terminated and padded. ok is false for a
// malformed record.
func direntNames(b []byte, wanted, found map[string]bool) (ok bool) {
	const nameOff = 19
	for len(b) > 0 {
		if len(b) < nameOff {
			return false
		}
		reclen := int(binary.NativeEndian.Uint16(b[16:18]))
		if reclen <= nameOff || reclen > len(b) {
			return false
		}
		name := b[nameOff:reclen]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		// The lookup converts without allocating; "." and ".." are
		// not names, as Readdirnames has it.
		if wanted[string(name)] {
			if n := string(name); n != "." && n != ".." {
				found[n] = true
			}
		}
		b = b[reclen:]
	}
	return true
}

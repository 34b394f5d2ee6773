package atomicfile

import (
	"syscall"
	"testing"
)

func TestReadUmask(t *testing.T) {
	for _, mask := range []int{0o077, 0o002, 0o022} {
		old := syscall.Umask(mask)
		got := readUmask()
		syscall.Umask(old)
		if int(got) != mask {
			t.Errorf("umask %03o: readUmask = %03o", mask, got)
		}
	}
}

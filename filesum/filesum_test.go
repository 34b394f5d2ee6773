package filesum

import "testing"

func TestUpdateContinuesSum(t *testing.T) {
	b := []byte("include/linux/kernel.h\t4021 1700000000 1700000001 2049 77")
	for i := 0; i <= len(b); i++ {
		if got, want := Update(Sum(b[:i]), b[i:]), Sum(b); got != want {
			t.Fatalf("split at %d: Update gives %08x, Sum %08x", i, got, want)
		}
	}
}

func TestChangedByteChangesSum(t *testing.T) {
	b := []byte("rex dirlist 4\nstdio.h\x00stdlib.h\x00")
	want := Sum(b)
	for i := range b {
		c := append([]byte(nil), b...)
		c[i] ^= 0x20
		if Sum(c) == want {
			t.Fatalf("byte %d changed, sum unchanged", i)
		}
	}
}

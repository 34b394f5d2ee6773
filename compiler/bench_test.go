package compiler

import (
	"strings"
	"testing"
)

// BenchmarkParse measures the per-compile cost of the argument model on a
// typical CMake command line.
func BenchmarkParse(b *testing.B) {
	argv := strings.Fields(realWorld[1].cmd)
	dir := b.TempDir()
	for b.Loop() {
		inv, err := Parse(argv, dir)
		if err != nil || !inv.Remotable {
			b.Fatal(err, inv.Reason)
		}
		inv.RemoteArgs(func(p string) string { return p })
		inv.DepsArgs()
	}
}

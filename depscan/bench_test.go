package depscan

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rexbuild/rex/compiler"
)

// BenchmarkScan measures one scan of a small C file: the cost is the
// compiler process, which Scan starts once, without a shell.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	src := "#include <stdio.h>\n#include \"h.h\"\nint main(void) { return X; }\n"
	if err := os.WriteFile(filepath.Join(dir, "a.c"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "h.h"), []byte("#define X 0\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	inv, err := compiler.Parse([]string{"gcc", "-O2", "-c", "a.c", "-o", "a.o", "-MD"}, dir)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Scan(context.Background(), inv, dir, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanDirectives runs the directive scanner over every file of a
// real C++ compile (<iostream>, <string>, <vector>, <map>: about 2.3 MB);
// the MB/s column is the cost per MB. "memchr" is the floor to compare
// with on a loaded machine: one bytes.IndexByte pass over the same files.
func BenchmarkScanDirectives(b *testing.B) {
	files, total := tuHeaders(b)
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			for _, data := range files {
				ScanDirectives(data)
			}
		}
	})
	b.Run("memchr", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			for _, data := range files {
				bytes.IndexByte(data, 0)
			}
		}
	})
}

package depscan

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestScanPrecompiledSibling builds a real p.h.gch next to p.h: gcc would
// read it instead of the header the scan lists, so Scan refuses; clang
// ignores it, and so does the scan without the .gch.
func TestScanPrecompiledSibling(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"inc/p.h": "static int pchval = 42;\n",
		"u.c":     "#include \"p.h\"\nint main(void) { return pchval; }\n",
	})
	inv := parse(t, dir, "gcc", "-Iinc", "-c", "u.c")
	if _, err := Scan(context.Background(), inv, dir, nil); err != nil {
		t.Fatalf("Scan without a .gch: %v", err)
	}
	cmd := exec.Command("gcc", "-x", "c-header", "inc/p.h", "-o", "inc/p.h.gch")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	_, err := Scan(context.Background(), inv, dir, nil)
	if !errors.Is(err, ErrPrecompiled) {
		t.Fatalf("Scan with inc/p.h.gch = %v, want ErrPrecompiled", err)
	}
	t.Log(err)
	if _, err := exec.LookPath("clang"); err != nil {
		t.Skip("clang not installed")
	}
	if err := os.Rename(filepath.Join(dir, "inc/p.h.gch"), filepath.Join(dir, "inc/p.h.pch")); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(context.Background(), parse(t, dir, "clang", "-Iinc", "-c", "u.c"), dir, nil); err != nil {
		t.Errorf("clang Scan with inc/p.h.pch: %v", err)
	}
}

// Package load runs many rex processes at once against one rex-server whose
// store is too small to keep everything, so eviction runs under load.
package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

const compiles = 200

func source(i int) string {
	return fmt.Sprintf("#include <cstdio>\nint value_%d() { std::printf(\"%%d\\n\", %d); return %d; }\n", i, i, i)
}

// compileAll runs argv(i) for every i at once and returns each exit error.
func compileAll(dir string, env []string, argv func(i int) []string) []error {
	errs := make([]error, compiles)
	var wg sync.WaitGroup
	for i := 0; i < compiles; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			a := argv(i)
			cmd := exec.Command(a[0], a[1:]...)
			cmd.Dir, cmd.Env = dir, env
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%v: %v\n%s", a, err, out)
			}
		}(i)
	}
	wg.Wait()
	return errs
}

func TestConcurrentCompilesUnderEviction(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: 400 compiles")
	}
	dir := t.TempDir()
	for i := 0; i < compiles; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.cpp", i)), []byte(source(i)), 0o644)
	}
	for _, err := range compileAll(dir, os.Environ(), func(i int) []string {
		return []string{"g++", "-O1", "-c", fmt.Sprintf("s%d.cpp", i), "-o", fmt.Sprintf("local%d.o", i)}
	}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Far less than 200 objects, sources, trees and results take.
	srv := testenv.StartServer(t, "", "--workers", "2", "--max-size", "256KiB")
	state := t.TempDir()
	env := append(os.Environ(), "REX_SERVER="+srv.Addr, "REX_DIR="+state)
	rex := testenv.Bin(t, "rex")

	start := time.Now()
	errs := compileAll(dir, env, func(i int) []string {
		return []string{rex, "g++", "-O1", "-c", fmt.Sprintf("s%d.cpp", i), "-o", fmt.Sprintf("rex%d.o", i)}
	})
	elapsed := time.Since(start)
	failed, identical := 0, 0
	for i, err := range errs {
		if err != nil {
			failed++
			t.Errorf("compile %d failed: %v", i, err)
			continue
		}
		want, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("local%d.o", i)))
		got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("rex%d.o", i)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("object %d differs from the local compile (%v)", i, err)
			continue
		}
		identical++
	}
	statsCmd := exec.Command(rex, "stats", "--json")
	statsCmd.Env = env
	out, _ := statsCmd.Output()
	var stats map[string]int
	json.Unmarshal(out, &stats)
	t.Logf("%d compiles at once with --max-size 256KiB: %d failed, %d identical to local, %.1f s, %.1f compiles/s; stats %v",
		compiles, failed, identical, elapsed.Seconds(), compiles/elapsed.Seconds(), stats)
	stored, objects := storeBytes(t, filepath.Join(srv.Dir, "cas")), int64(0)
	for i := 0; i < compiles; i++ {
		if st, err := os.Stat(filepath.Join(dir, fmt.Sprintf("rex%d.o", i))); err == nil {
			objects += st.Size()
		}
	}
	t.Logf("store holds %d bytes under a 256 KiB bound; the objects alone are %d bytes", stored, objects)
	if stored > 256<<10 || objects <= 256<<10 {
		t.Errorf("the test must force eviction and the store must stay bounded")
	}
	if stats["remote_executions"]+stats["cache_hits"] == 0 || stats["local_runs"] != 0 {
		t.Errorf("nothing ran remotely: %v\nserver log:\n%s", stats, srv.Log())
	}
}

func storeBytes(t *testing.T, dir string) int64 {
	var total int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			total += info.Size()
		}
		return nil
	})
	return total
}

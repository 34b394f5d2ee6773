package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// headerTree is an input root like a kernel compile's: n headers of a few
// KiB in 20 directories, and one source file.
func headerTree(n int) []client.Input {
	inputs := []client.Input{{Path: "src/main.c", Data: []byte("int main(void) { return 0; }\n")}}
	for i := range n {
		body := fmt.Sprintf("/* header %d */\n%s", i, strings.Repeat("#define X 1\n", 300+i%200))
		inputs = append(inputs, client.Input{Path: fmt.Sprintf("include/d%d/h%d.h", i%20, i), Data: []byte(body)})
	}
	return inputs
}

// BenchmarkStageWarm measures staging an input root of 400 headers whose
// files the worker's cache already holds: laying out directories and
// linking (or, for an unjailed worker, copying) each file.
func BenchmarkStageWarm(b *testing.B) {
	for _, link := range []bool{true, false} {
		b.Run(map[bool]string{true: "link", false: "copy"}[link], func(b *testing.B) {
			store := newMemCAS(digest.SHA256)
			root := store.tree(b, headerTree(400))
			s := staging{store: store, fn: digest.SHA256, cache: newTestCache(b, 1<<30), link: link}
			stageTree(b, s, root) // warm the cache
			base := b.TempDir()
			i := 0
			for b.Loop() {
				i++
				if _, err := stageInputs(b.Context(), s, root, filepath.Join(base, fmt.Sprint(i))); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			os.RemoveAll(base)
		})
	}
}

// BenchmarkStageCold measures staging the same root into an empty cache:
// every file fetched (from memory here), verified and written once.
func BenchmarkStageCold(b *testing.B) {
	store := newMemCAS(digest.SHA256)
	root := store.tree(b, headerTree(400))
	base := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		dir := filepath.Join(base, fmt.Sprint(i))
		s := staging{store: store, fn: digest.SHA256, cache: newTestCache(b, 1<<30), link: true}
		if _, err := stageInputs(b.Context(), s, root, filepath.Join(dir, "root")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkActionOverhead measures what a worker spends on one jailed
// action besides the command itself, phase by phase: staging 400 headers
// from a warm cache, running /bin/true in the jail, the disk quota's walk,
// and removing the action's directory.
func BenchmarkActionOverhead(b *testing.B) {
	j := requireSandbox(b, JailOptions{})
	workerDir := filepath.Dir(j.mountDir)
	store := newMemCAS(digest.SHA256)
	root := store.tree(b, headerTree(400))
	cache, err := newFileCache(filepath.Join(workerDir, cacheSubdir), 1<<30)
	if err != nil {
		b.Fatal(err)
	}
	s := staging{store: store, fn: digest.SHA256, cache: cache, link: true, own: &owner{j.opts.UID, j.opts.GID}}
	var phases [4]time.Duration
	for b.Loop() {
		t0 := time.Now()
		dir, err := os.MkdirTemp(filepath.Join(workerDir, actionsSubdir), "a")
		if err != nil {
			b.Fatal(err)
		}
		actionRoot := filepath.Join(dir, "root")
		if _, err := stageInputs(b.Context(), s, root, actionRoot); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		spec := execSpec{Args: []string{"/bin/true"}, Dir: actionRoot, Root: actionRoot, Hide: workerDir,
			Timeout: 10 * time.Second, MaxOutput: 1 << 20, Jail: j, UID: j.opts.UID}
		if res, err := runCommand(b.Context(), spec); err != nil || res.ExitCode != 0 {
			b.Fatalf("exit %d: %v %s", res.ExitCode, err, res.Stderr)
		}
		t2 := time.Now()
		if err := checkQuota(spec, execResult{}); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		os.RemoveAll(dir)
		for i, d := range []time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), time.Since(t3)} {
			phases[i] += d
		}
	}
	for i, name := range []string{"stage", "run", "quota", "remove"} {
		b.ReportMetric(float64(phases[i].Microseconds())/1000/float64(b.N), "ms-"+name)
	}
}

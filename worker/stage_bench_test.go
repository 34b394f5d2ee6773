package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
				if err := stageInputs(b.Context(), s, root, filepath.Join(base, fmt.Sprint(i))); err != nil {
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
		if err := stageInputs(b.Context(), s, root, filepath.Join(dir, "root")); err != nil {
			b.Fatal(err)
		}
	}
}

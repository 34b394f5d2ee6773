package wrapper

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/manifest"
	"github.com/rexbuild/rex/toolchain"
)

// kernelLike lays out a tree shaped like a kernel compile's: ~800 headers
// across the 8 include directories of its -I list (one of them missing, as
// generated/uapi often is), and returns the plan of a compile that read
// them all, as the key phase leaves it.
func kernelLike(b *testing.B) (*actionPlan, string) {
	cwd := b.TempDir()
	dirs := map[string]int{
		"include/linux": 300, "include/asm-generic": 80, "arch/x86/include/asm": 150,
		"arch/x86/include/uapi/asm": 40, "include/uapi/linux": 120, "include/generated": 20,
		"arch/x86/include/generated/asm": 30, "include/uapi/asm-generic": 40, "kernel/sched": 20,
	}
	deps := []string{"kernel/sched/core.c"}
	write(b, cwd+"/kernel/sched/core.c", "int x;\n")
	for dir, n := range dirs {
		for i := range n {
			name := fmt.Sprintf("%s/h%d.h", dir, i)
			write(b, cwd+"/"+name, fmt.Sprintf("#define H%d %q\n", i, dir))
			if dir == "kernel/sched" {
				deps = append(deps, name)
			} else {
				deps = append(deps, "./"+name)
			}
		}
	}
	search := depscan.SearchList{}
	for _, d := range []string{"arch/x86/include", "arch/x86/include/generated", "include", "arch/x86/include/uapi",
		"arch/x86/include/generated/uapi", "include/uapi", "include/generated/uapi"} {
		search.Angle = append(search.Angle, "./"+d)
	}
	search.Ignored = []string{"./include/generated/uapi/missing"}
	set, err := classify(cwd, &toolchain.Toolchain{Dirs: []string{"/usr/lib/gcc"}}, deps)
	if err != nil {
		b.Fatal(err)
	}
	plan := &actionPlan{inputs: set, inputPaths: set.paths(), actionDigest: digest.SHA256.FromBytes([]byte("a")),
		function: "sha256", object: "kernel/sched/core.o", outputs: []string{"kernel/sched/core.o"}}
	for _, f := range set.project { // the key's tree, by the default function
		d, err := digest.SHA256.FromFile(f.read)
		if err != nil {
			b.Fatal(err)
		}
		plan.blobs = append(plan.blobs, client.Blob{Digest: d, Path: f.read})
	}
	plan.inputStamps = inputStamps{}
	for _, p := range plan.inputPaths {
		plan.inputStamps[p] = fileStamp{stat: statOf(p)} // aged, as a checkout's files are
	}
	plan.facts = &directFacts{since: time.Now().Add(2 * manifest.RacyWindow), deps: deps, search: search}
	return plan, cwd
}

func write(b *testing.B, path, content string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecordMiss is the record a miss gathers, encodes and writes for
// a kernel-like compile, into a record that already holds entries of
// earlier versions of the source (an edit-compile loop); First is the
// first record of a context (a cold build).
func BenchmarkRecordMiss(b *testing.B) {
	for _, bc := range []struct {
		name  string
		older int
	}{{"First", 0}, {"Loop", manifest.MaxEntries - 1}} {
		b.Run(bc.name, func(b *testing.B) {
			plan, cwd := kernelLike(b)
			cache := localcache.Open(b.TempDir(), 1<<30)
			n := 0
			record := func() {
				n++
				plan.actionDigest = digest.SHA256.FromBytes([]byte(fmt.Sprint(n)))
				plan.startRecord(cache, "key", cwd)()
			}
			for range bc.older {
				record()
			}
			b.ReportAllocs()
			for b.Loop() {
				if bc.older == 0 {
					os.Remove(cache.Path(localcache.Manifests, "key"))
				}
				record()
			}
			data, ok := cache.Get(localcache.Manifests, "key")
			if e, found := manifest.Lookup(data); !ok || !found || e.Action != plan.actionDigest.String() {
				b.Fatalf("the record does not lead to the last action")
			}
			b.ReportMetric(float64(len(data)), "record-bytes")
		})
	}
}

// BenchmarkRecordHit is the check of a kernel-like compile's record on a
// direct hit, newest entry first (Newest) or behind the entries of seven
// later versions that no longer hold (Oldest).
func BenchmarkRecordHit(b *testing.B) {
	for _, bc := range []struct {
		name  string
		later int
	}{{"Newest", 0}, {"Oldest", manifest.MaxEntries - 1}} {
		b.Run(bc.name, func(b *testing.B) {
			plan, cwd := kernelLike(b)
			cache := localcache.Open(b.TempDir(), 1<<30)
			plan.startRecord(cache, "key", cwd)()
			want := plan.actionDigest.String()
			for i := range bc.later { // later versions of the source, since undone
				data, _ := cache.Get(localcache.Manifests, "key")
				e := manifest.Decode(data)[0]
				other := digest.SHA256.FromBytes([]byte(fmt.Sprint(i)))
				e.Action = other.String()
				e.Files[0].Stamp, e.Files[0].Hash = manifest.Stamp{}, other
				cache.Put(localcache.Manifests, "key", manifest.Add(data, e))
			}
			b.ReportAllocs()
			for b.Loop() {
				data, _ := cache.Get(localcache.Manifests, "key")
				if e, ok := manifest.Lookup(data); !ok || e.Action != want {
					b.Fatal("no hit")
				}
			}
		})
	}
}

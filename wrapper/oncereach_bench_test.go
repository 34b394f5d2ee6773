package wrapper

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// onceBenchTree lays out a kernel-like compile's headers (~800 across 8 -I
// directories, each including five others by <dir/name>), each guarded or
// each saying #pragma once, and returns its inputs and search list.
func onceBenchTree(b *testing.B, once, computed bool) (inputSet, onceCopyCheck) {
	cwd := b.TempDir()
	dirs := map[string]int{"include/linux": 300, "include/asm-generic": 80, "arch/x86/include/asm": 150,
		"arch/x86/include/uapi/asm": 40, "include/uapi/linux": 120, "include/generated": 20,
		"arch/x86/include/generated/asm": 30, "include/uapi/asm-generic": 40}
	deps := []string{"kernel/sched/core.c"}
	write(b, cwd+"/kernel/sched/core.c", "#include <linux/h0.h>\nint x;\n")
	for dir, n := range dirs {
		short := dir[strings.LastIndexByte(dir, '/')+1:]
		for i := range n {
			var body strings.Builder
			if once {
				body.WriteString("#pragma once\n")
			} else {
				fmt.Fprintf(&body, "#ifndef G_%s_%d\n#define G_%s_%d\n", short, i, short, i)
			}
			for k := 1; k <= 5; k++ {
				fmt.Fprintf(&body, "#include <%s/h%d.h>\n", short, (i+k)%n)
			}
			fmt.Fprintf(&body, "#define H_%s_%d %q\n", short, i, dir)
			if computed && i%10 == 0 {
				body.WriteString("#include CONFIG_HEADER\n")
			}
			if !once {
				body.WriteString("#endif\n")
			}
			name := fmt.Sprintf("%s/h%d.h", dir, i)
			write(b, cwd+"/"+name, body.String())
			deps = append(deps, "./"+name)
		}
	}
	search := depscan.SearchList{}
	for _, d := range []string{"arch/x86/include", "arch/x86/include/generated", "include", "arch/x86/include/uapi",
		"arch/x86/include/generated/uapi", "include/uapi", "include/generated/uapi"} {
		search.Angle = append(search.Angle, "./"+d)
	}
	tc := &toolchain.Toolchain{Dirs: []string{"/usr/lib/gcc"}}
	set, err := classify(cwd, tc, deps)
	if err != nil {
		b.Fatal(err)
	}
	for i := range set.project {
		if set.project[i].digest, err = digest.SHA256.FromFile(set.project[i].read); err != nil {
			b.Fatal(err)
		}
	}
	return set, onceCopyCheck{cwd: cwd, search: search, deps: deps, isToolchain: tc.Contains}
}

// BenchmarkOnceCopyCheck is what the check adds to a miss of a kernel-like
// compile, with the directive cache warm (each compile is a process that
// loads it, and saves what it learnt): Probes is the probe check alone, as
// a miss made it before; Guarded and Once are the copies check and the
// probe check, with the headers guarded (as the kernel's are: the check
// reads flags only) and saying #pragma once (every directive is resolved);
// OnceComputed has one header in ten include a macro, which is resolved
// under every name a file read has.
func BenchmarkOnceCopyCheck(b *testing.B) {
	for _, bc := range []struct {
		name           string
		once, computed bool
		check          func(set inputSet, chk onceCopyCheck, c *directiveCache) error
	}{
		{"Probes", false, false, func(set inputSet, chk onceCopyCheck, c *directiveCache) error {
			_, _, err := probeHits(chk.cwd, set, chk.search, c, digest.SHA256, nil, false, nil, nil)
			return err
		}},
		{"Guarded", false, false, onceBenchCheck},
		{"Once", true, false, onceBenchCheck},
		{"OnceComputed", true, true, onceBenchCheck},
	} {
		b.Run(bc.name, func(b *testing.B) {
			set, chk := onceBenchTree(b, bc.once, bc.computed)
			state := b.TempDir()
			run := func() {
				c := loadDirectiveCache(state)
				if err := bc.check(set, chk, c); err != nil {
					b.Fatal(err)
				}
				c.save()
			}
			run() // the cache learns every file
			b.ResetTimer()
			for b.Loop() {
				run()
			}
		})
	}
}

func onceBenchCheck(set inputSet, chk onceCopyCheck, c *directiveCache) error {
	once, err := readOnceBySize(set, c, digest.SHA256)
	if err != nil {
		return err
	}
	copyPath, _, _, err := reachableOnceCopy(set, chk, c, digest.SHA256, once)
	if copyPath != "" {
		return fmt.Errorf("a copy in a tree without one: %s", copyPath)
	}
	if err != nil {
		return err
	}
	_, _, err = probeHits(chk.cwd, set, chk.search, c, digest.SHA256, nil, false, nil, nil)
	return err
}

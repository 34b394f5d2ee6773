package worker

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRunTrue measures what running one command costs, unsandboxed
// and sandboxed: the sandbox's share of every action's latency.
func BenchmarkRunTrue(b *testing.B) {
	for _, isolate := range []bool{false, true} {
		name := map[bool]string{false: "none", true: "sandboxed"}[isolate]
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			actions := filepath.Join(dir, actionsSubdir)
			root := filepath.Join(actions, "a", "root")
			os.MkdirAll(root, 0o755)
			spec := execSpec{Args: []string{"/bin/true"}, Dir: root, Root: root, Hide: actions,
				Timeout: 10 * time.Second, MaxOutput: 1 << 20}
			if isolate {
				spec = jailed(b, spec, requireSandbox(b, JailOptions{}))
			}
			for b.Loop() {
				res, err := runCommand(context.Background(), spec)
				if err != nil || res.ExitCode != 0 {
					b.Fatalf("exit %d: %v %s", res.ExitCode, err, res.Stderr)
				}
			}
		})
	}
}

// BenchmarkQuotaWalk measures what the disk quota's check adds to an
// action whose directory holds 1000 files in 20 directories.
func BenchmarkQuotaWalk(b *testing.B) {
	root := b.TempDir()
	for i := range 1000 {
		dir := filepath.Join(root, "d"+strconv.Itoa(i%20))
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)), []byte("int x;\n"), 0o644)
	}
	for b.Loop() {
		if _, err := treeBytes(root); err != nil {
			b.Fatal(err)
		}
	}
}

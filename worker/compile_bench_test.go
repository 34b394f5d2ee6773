package worker

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// childCPU is the user and system time of the waited-for children so far.
func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCompileHello measures g++ -O2 -c of a file that includes
// <iostream>, with the small environment rex sends, unjailed and in the
// jail, one after the other in each iteration so that the load of the
// machine weighs on both alike: what the sandbox adds to a real compile,
// its set-up included, in wall time and in the compiler's CPU time.
func BenchmarkCompileHello(b *testing.B) {
	if _, err := exec.LookPath("g++"); err != nil {
		b.Skip("no g++")
	}
	specs := []execSpec{helloSpec(b), jailed(b, helloSpec(b), requireSandbox(b, JailOptions{}))}
	var wall, cpu [2]time.Duration
	for b.Loop() {
		for i, spec := range specs {
			t0, c0 := time.Now(), childCPU()
			res, err := runCommand(b.Context(), spec)
			if err != nil || res.ExitCode != 0 {
				b.Fatalf("exit %d: %v %s", res.ExitCode, err, res.Stderr)
			}
			wall[i] += time.Since(t0)
			cpu[i] += childCPU() - c0
		}
	}
	for i, name := range []string{"none", "sandboxed"} {
		b.ReportMetric(float64(wall[i].Microseconds())/1000/float64(b.N), name+"-ms/op")
		b.ReportMetric(float64(cpu[i].Microseconds())/1000/float64(b.N), name+"-cpu-ms/op")
	}
}

func helloSpec(b *testing.B) execSpec {
	actions := filepath.Join(b.TempDir(), actionsSubdir)
	root := filepath.Join(actions, "a", "root")
	os.MkdirAll(root, 0o755)
	src := "#include <iostream>\nint main() { std::cout << \"hi\\n\"; }\n"
	if err := os.WriteFile(filepath.Join(root, "hello.cpp"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	return execSpec{Args: []string{"/usr/bin/g++", "-O2", "-c", "hello.cpp", "-o", "hello.o"},
		Env: []string{"LANG=C.UTF-8", "PATH=/usr/bin:/bin"}, Dir: root, Root: root, Hide: actions,
		Timeout: time.Minute, MaxOutput: 1 << 20}
}

// heapBallast is live memory that BenchmarkRunTrueHeap holds.
var heapBallast [][]byte

// BenchmarkRunTrueHeap measures running /bin/true, unjailed and jailed,
// from a process holding 0 or 256 MiB of heap, as rex-server's embedded
// workers run beside the server's caches. A jailed command starts in a
// user namespace of its own, for which Go forks the whole worker process
// (no vfork): its cost grows with the worker's memory, the unjailed one's
// does not.
func BenchmarkRunTrueHeap(b *testing.B) {
	for _, mib := range []int{0, 256} {
		for _, isolate := range []bool{false, true} {
			name := map[bool]string{false: "none", true: "sandboxed"}[isolate] + map[int]string{0: "-0MiB", 256: "-256MiB"}[mib]
			b.Run(name, func(b *testing.B) {
				heapBallast = make([][]byte, mib)
				for i := range heapBallast {
					heapBallast[i] = make([]byte, 1<<20)
					for j := 0; j < len(heapBallast[i]); j += 4096 {
						heapBallast[i][j] = 1 // resident, as a used heap is
					}
				}
				defer func() { heapBallast = nil }()
				runtime.GC()
				root := filepath.Join(b.TempDir(), actionsSubdir, "a", "root")
				os.MkdirAll(root, 0o755)
				spec := execSpec{Args: []string{"/bin/true"}, Dir: root, Root: root, Hide: filepath.Dir(filepath.Dir(root)),
					Timeout: 10 * time.Second, MaxOutput: 1 << 20}
				if isolate {
					spec = jailed(b, spec, requireSandbox(b, JailOptions{}))
				}
				for b.Loop() {
					if res, err := runCommand(b.Context(), spec); err != nil || res.ExitCode != 0 {
						b.Fatalf("exit %d: %v %s", res.ExitCode, err, res.Stderr)
					}
				}
			})
		}
	}
}

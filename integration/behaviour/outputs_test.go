package behaviour

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rexbuild/rex/integration/testenv"
)

const (
	cSrc    = "#include \"a.h\"\nint f(void) { return A; }\n"
	cHeader = "#define A 1\n"
)

func cFiles() map[string]string { return map[string]string{"a.c": cSrc, "a.h": cHeader} }

// TestMissingOutputDirFailsAsLocally: an output or dep file in a directory
// that does not exist fails as the compiler fails, with its message and
// status, and nothing is created.
func TestMissingOutputDirFailsAsLocally(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1")
	for _, args := range []string{
		"-c a.c -o nodir/a.o",
		"-c a.c -o a.o -MD -MF deps/a.d",
		"-c a.c -o nodir/sub/a.o -MMD",
	} {
		t.Run(args, func(t *testing.T) {
			argv := append([]string{"gcc"}, strings.Fields(args)...)
			plain, viaRex := newTree(t, srv.Addr, cFiles()), newTree(t, srv.Addr, cFiles())
			want, got := plain.run(argv...), viaRex.rex(argv...)
			if want.exit == 0 {
				t.Fatalf("gcc %s succeeded", args)
			}
			if got != want {
				t.Errorf("rex: exit %d, stderr %q\ngcc: exit %d, stderr %q", got.exit, got.stderr, want.exit, want.stderr)
			}
			if diff := cmp.Diff(plain.files(), viaRex.files()); diff != "" {
				t.Errorf("files (-gcc +rex):\n%s", diff)
			}
		})
	}
}

// TestOutputsFollowUmask: objects and dep files get the modes a local
// compile gives them under the same umask, from a remote execution and
// from a cache hit.
func TestOutputsFollowUmask(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1")
	for _, mask := range []string{"077", "002"} {
		t.Run(mask, func(t *testing.T) {
			// -g makes the remote command the portable script, whose dep
			// file rex rewrites: both ways of writing an output are seen.
			argv := []string{"sh", "-c", "umask " + mask + "; exec \"$@\"", "sh"}
			compile := []string{"gcc", "-g", "-c", "a.c", "-o", "a.o", "-MD"}
			plain, viaRex := newTree(t, srv.Addr, cFiles()), newTree(t, srv.Addr, cFiles())
			if r := plain.run(append(argv, compile...)...); r.exit != 0 {
				t.Fatalf("gcc: %+v", r)
			}
			// Three ways of writing an output: from a remote execution,
			// from the local cache, and from the server's cache.
			for i, step := range []struct {
				outcome string
				env     []string
			}{{"remote execution", nil}, {"local cache hit", nil}, {"cache hit", []string{"REX_LOCAL_CACHE_SIZE=0"}}} {
				rexArgv := append(append(append(argv, "env"), step.env...), testenv.Bin(t, "rex"))
				rexArgv = append(rexArgv, compile...)
				outcome := step.outcome
				os.Remove(viaRex.dir + "/a.o")
				os.Remove(viaRex.dir + "/a.d")
				if r := viaRex.run(rexArgv...); r.exit != 0 {
					t.Fatalf("rex: %+v", r)
				}
				for _, out := range []string{"a.o", "a.d"} {
					if got, want := viaRex.mode(out), plain.mode(out); got != want {
						t.Errorf("umask %s, %s: %s is %v, gcc made it %v", mask, outcome, out, got, want)
					}
				}
				s := viaRex.stats()
				if s.RemoteExecutions != 1 || s.LocalCacheHits+s.CacheHits != int64(i) ||
					outcome == "cache hit" && s.CacheHits != 1 {
					t.Fatalf("after the %s: %+v", outcome, s)
				}
			}
		})
	}
}

// TestSplitDwarfWithoutDebugInfo: with -gsplit-dwarf and debug info off
// (clang writes no .dwo, gcc does), rex expects what the compiler writes,
// so the compile runs remotely and leaves the same files.
func TestSplitDwarfWithoutDebugInfo(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1")
	for _, cc := range []string{"gcc", "clang"} {
		for _, flags := range []string{"-gsplit-dwarf -g0", "-g -gsplit-dwarf -g0", "-g -gsplit-dwarf"} {
			t.Run(cc+" "+flags, func(t *testing.T) {
				requireCompiler(t, cc)
				argv := append([]string{cc, "-c", "a.c", "-o", "a.o"}, strings.Fields(flags)...)
				plain, viaRex := newTree(t, srv.Addr, cFiles()), newTree(t, srv.Addr, cFiles())
				want, got := plain.run(argv...), viaRex.rex(argv...)
				if got != want || want.exit != 0 {
					t.Fatalf("rex %+v, %s %+v", got, cc, want)
				}
				if diff := cmp.Diff(plain.files(), viaRex.files()); diff != "" {
					t.Errorf("files (-%s +rex):\n%s", cc, diff)
				}
				if s := viaRex.stats(); s.RemoteExecutions != 1 {
					t.Errorf("stats %+v, want one remote execution", s)
				}
			})
		}
	}
}

package wrapper

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/rexbuild/rex/lookups"
	"github.com/rexbuild/rex/lookups/accountmeta"
	"github.com/rexbuild/rex/stats"
)

// branchSource takes, when compiled, a branch gcc's directives-only scan
// does not: the pasted pop_macro restores X to 1, and the compile includes
// "x.h" (found in -Ia, or else in -Ib) where the scan includes "b/x.h".
const branchSource = "#define CAT(a, b) a##b\n#define STR(x) #x\n#define XSTR(x) STR(x)\n" +
	"#define PUSH _Pragma(XSTR(CAT(push_,macro)(\"X\")))\n#define POP _Pragma(XSTR(CAT(pop_,macro)(\"X\")))\n" +
	"#define X 1\nPUSH\n#undef X\n#define X 2\nPOP\n" +
	"#if X == 1\n#include \"x.h\"\n#else\n#include \"b/x.h\"\n#endif\nint v = V;\n"

// The worker has only b/x.h, which the scan keyed: where this machine
// also holds a/x.h, the worker's compiler looked for it in vain and took
// b/x.h. Its account of its lookups shows that, and rex compiles locally.
// Absolute paths make the remote command rex's portable script, which the
// worker watches as well.
func TestWorkerBranchHeaderRunsLocally(t *testing.T) {
	ts := startServerWith(t, 1)
	for _, absolute := range []bool{false, true} {
		t.Run(fmt.Sprintf("absolute=%v", absolute), func(t *testing.T) {
			p := newProject(t, ts.addr)
			p.cfg.LocalCacheSize = 1 << 30 // as rex's default
			p.write("c.c", branchSource)
			p.write("b/x.h", "#define V 2\n")
			p.write("a/other.h", "")
			argv := []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "x.o"}
			if absolute {
				argv = []string{"gcc", "-I" + p.dir + "/a", "-I" + p.dir + "/b", "-c", p.dir + "/c.c", "-o", "x.o"}
			}

			// Without a/x.h, the worker's compile is the local one; it
			// looked for a/x.h, which the key does not cover.
			local := localCompile(t, p.dir, argv)
			r := p.run(argv...)
			if r.Outcome != stats.RemoteExecution || r.ExitCode != 0 {
				t.Fatalf("first compile: %v (%v), exit %d: %s", r.Outcome, r.Reason, r.ExitCode, r.Stderr)
			}
			same(t, "first compile", collect(t, p.dir, r.Stderr), local)

			// a/x.h appears: the key is the same, and so is the result,
			// which a local compile no longer gives. It was not kept in
			// the local cache, which has no account to hold against this
			// machine's files.
			p.write("a/x.h", "#define V 1\n")
			r = p.run(argv...)
			if !r.RunLocal || r.Reason == nil || !strings.Contains(r.Reason.Error(), "a/x.h") {
				t.Fatalf("after a/x.h appeared: %v (%v), want a local compile naming a/x.h", r.Outcome, r.Reason)
			}

			// A fresh client meets the same result on its first compile.
			q := newProject(t, ts.addr)
			q.dir = p.dir
			if r := q.run(argv...); !r.RunLocal || r.Reason == nil || !strings.Contains(r.Reason.Error(), "the scan did not look for") {
				t.Fatalf("a fresh client: %v (%v), want a local compile", r.Outcome, r.Reason)
			}
		})
	}
}

// An ordinary compile's account holds nothing the scan did not look up:
// its result is served and kept in the local cache, by gcc and clang, with
// relative and absolute paths (rex's portable script). An include
// directory that holds no header the compile reads is not in the input
// root: the worker finds none where this machine has a directory.
func TestWorkerAccountKeepsOrdinaryCompiles(t *testing.T) {
	ts := startServerWith(t, 1)
	for _, cc := range []string{"g++", "clang++"} {
		for _, absolute := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/absolute=%v", cc, absolute), func(t *testing.T) {
				if _, err := exec.LookPath(cc); err != nil {
					t.Skipf("%s is not installed", cc)
				}
				p := newProject(t, ts.addr)
				p.cfg.LocalCacheSize = 1 << 30
				p.write("src/hello.cpp", "#include <iostream>\n#include \"greet.h\"\nint main() { std::cout << GREETING; }\n")
				p.write("include/greet.h", "#define GREETING \"hi\"\n")
				dir := p.dir
				if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
					t.Fatal(err)
				}
				argv := []string{cc, "-Iempty", "-Iinclude", "-c", "src/hello.cpp", "-o", "x.o"}
				if absolute {
					argv = []string{cc, "-I" + dir + "/empty", "-I" + dir + "/include", "-c", dir + "/src/hello.cpp", "-o", "x.o"}
				}
				for round, want := range []stats.Outcome{stats.RemoteExecution, stats.LocalCacheHit} {
					local := localCompile(t, dir, argv)
					r := p.run(argv...)
					if r.Outcome != want {
						t.Fatalf("round %d: %v (%v), want %v", round, r.Outcome, r.Reason, want)
					}
					same(t, fmt.Sprintf("round %d", round), collect(t, dir, r.Stderr), local)
				}
			})
		}
	}
}

// What rex does with each kind of lookup a worker tells of, the account
// put on a cached result of the server: the result is refused where a
// local compile could differ, and served but not kept where nothing is
// there now.
func TestWorkerAccountChecks(t *testing.T) {
	for _, c := range []struct {
		name   string
		told   func(dir string) lookups.Account
		refuse string // the reason's words, or "" for a hit not kept
	}{
		{"a toolchain header the worker lacked", func(string) lookups.Account {
			return lookups.Account{Missing: []string{"/usr/include/stdio.h"}}
		}, "which it lacked and the scan found"},
		{"a file this machine holds where the scan never looked", func(dir string) lookups.Account {
			return lookups.Account{Missing: []string{dir + "/probe.h"}}
		}, "this machine holds"},
		{"a file outside the input root the scan did not find", func(string) lookups.Account {
			return lookups.Account{Found: []string{"/etc/hostname"}}
		}, "which the scan did not find"},
		{"a file above the input root", func(string) lookups.Account {
			return lookups.Account{Found: []string{"../x.h"}}
		}, "outside its input root"},
		{"a lookup the library could not name", func(string) lookups.Account {
			return lookups.Account{Unresolved: 1}
		}, "could not name"},
		{"a place with nothing in it", func(dir string) lookups.Account {
			return lookups.Account{Missing: []string{dir + "/nowhere.h"}}
		}, ""},
		{"a place with a directory in it", func(dir string) lookups.Account {
			return lookups.Account{Missing: []string{dir + "/sub"}}
		}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startServer(t)
			p := newProject(t, srv.addr)
			p.write("hello.cpp", helloSrc)
			p.write("probe.h", "")
			p.write("sub/other.txt", "")
			p.fill(compileHello...)
			p.cfg.LocalCacheSize = 1 << 30 // after the fill, which keeps its own
			srv.faults.setUnary(methodGetAR, func(resp any, err error) (any, error) {
				if r, ok := resp.(*repb.ActionResult); ok {
					r = proto.Clone(r).(*repb.ActionResult)
					r.ExecutionMetadata = &repb.ExecutedActionMetadata{
						AuxiliaryMetadata: []*anypb.Any{accountmeta.Any(c.told(p.dir))}}
					return r, err
				}
				return resp, err
			})
			for round := range 2 {
				os.Remove(filepath.Join(p.dir, "hello.o"))
				r := p.run(compileHello...)
				switch {
				case c.refuse != "" && (!r.RunLocal || r.Reason == nil || !strings.Contains(r.Reason.Error(), c.refuse)):
					t.Fatalf("round %d: %v (%v), want a local compile: %s", round, r.Outcome, r.Reason, c.refuse)
				case c.refuse == "" && r.Outcome != stats.CacheHit:
					t.Fatalf("round %d: %v (%v), want the server's hit, never kept locally", round, r.Outcome, r.Reason)
				case c.refuse != "" && p.exists("hello.o"):
					t.Fatalf("round %d: a refused result was written", round)
				}
			}
		})
	}
}

package worker

import (
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/lookups/accountmeta"
)

// A compile's result tells what its compiler looked up, relative to the
// input root, however the command was started: unisolated, in the jail
// from the worker, or from the spawner; by gcc, and by clang, whose
// preprocessor runs in its driver.
func TestCompileTellsItsLookups(t *testing.T) {
	for _, name := range []string{"gcc", "clang"} {
		t.Run(name, func(t *testing.T) {
			driver, err := exec.LookPath(name)
			if err != nil {
				t.Skipf("no %s", name)
			}
			testCompileTellsItsLookups(t, driver)
		})
	}
}

func testCompileTellsItsLookups(t *testing.T, driver string) {
	src := "#include \"greet.h\"\n#if __has_include(\"absent.h\")\n#error\n#endif\nint g = GREETING;\n"
	modes := []struct {
		name string
		opts Options
	}{{"unisolated", Options{Sandbox: SandboxNone}}, {"jailed", Options{}}, {"spawned", Options{Spawner: testSpawner(t)}}}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if m.opts.Sandbox != SandboxNone {
				requireSandbox(t, JailOptions{})
			}
			e := newEnv(t, m.opts)
			ad := e.upload(t, &repb.Command{
				Arguments:   []string{driver, "-Iinclude", "-c", "src/greet.c", "-o", "out/greet.o"},
				OutputPaths: []string{"out/greet.o"},
			}, []client.Input{
				{Path: "src/greet.c", Data: []byte(src)},
				{Path: "include/greet.h", Data: []byte("#define GREETING 42\n")},
			})
			ar := e.result(t, e.run(t, ad, time.Minute))
			if ar.GetExitCode() != 0 {
				t.Fatalf("exit %d: %s", ar.GetExitCode(), e.read(t, ar.GetStderrDigest()))
			}
			told, ok, err := accountmeta.Find(ar.GetExecutionMetadata().GetAuxiliaryMetadata())
			if err != nil || !ok {
				t.Fatalf("no account of the compile's lookups (%v)", err)
			}
			// Files in the input root are keyed: only those outside it
			// are told (gcc reads stdc-predef.h).
			if slices.Contains(told.Found, "src/greet.c") ||
				filepath.Base(driver) == "gcc" && !slices.Contains(told.Found, "/usr/include/stdc-predef.h") {
				t.Errorf("found %q, want no file of the input root", told.Found)
			}
			for _, want := range []string{"src/greet.h", "src/absent.h", "include/absent.h"} {
				if !slices.Contains(told.Missing, want) {
					t.Errorf("missing %q, want %s among them", told.Missing, want)
				}
			}
			if slices.Contains(told.Found, "out/greet.o") || slices.Contains(told.Missing, "out/greet.o") {
				t.Errorf("the object the compile writes is in its account: %+v", told)
			}
		})
	}
}

// A command that is no compile by a driver the worker trusts carries no
// account: the worker never runs a program an action brought outside the
// sandbox.
func TestOnlyTrustedDriversAreWatched(t *testing.T) {
	e := newEnv(t, Options{Sandbox: SandboxNone})
	script := "#!/bin/sh\necho compiled > out.o\n"
	ad := e.upload(t, &repb.Command{Arguments: []string{"./gcc", "-c", "a.c", "-o", "out.o"}, OutputPaths: []string{"out.o"}},
		[]client.Input{{Path: "gcc", Data: []byte(script), Executable: true}, {Path: "a.c", Data: []byte("int a;\n")}})
	ar := e.result(t, e.run(t, ad, time.Minute))
	if ar.GetExitCode() != 0 {
		t.Fatalf("exit %d: %s", ar.GetExitCode(), e.read(t, ar.GetStderrDigest()))
	}
	if _, ok, _ := accountmeta.Find(ar.GetExecutionMetadata().GetAuxiliaryMetadata()); ok {
		t.Error("a driver from the input root was watched: the worker ran it outside any sandbox to build the library")
	}
}

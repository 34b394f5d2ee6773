package worker

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/toolchain"
)

// lookC is a static program that reports what a hermetic action sees.
const lookC = `#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
static void look(const char *p) { struct stat st; printf("%s %s\n", p, stat(p, &st) == 0 ? "yes" : "no"); }
int main(void) {
	const char *paths[] = {"/usr", "/etc", "/bin/sh", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/full",
		"/proc/self/exe", "/rex", "/look", 0};
	for (int i = 0; paths[i]; i++) look(paths[i]);
	FILE *f = fopen("/tmp/x", "w");
	printf("tmp %s\n", f && fputs("x", f) >= 0 ? "writable" : "not writable");
	char cwd[256];
	printf("cwd %s\n", getcwd(cwd, sizeof cwd));
	FILE *o = fopen("out", "w");
	return o && fputs("done", o) >= 0 && fclose(o) == 0 ? 0 : 1;
}
`

// TestHermeticActionSeesOnlyItsRoot: with --sandbox hermetic, "/" is the
// input root: no /usr, /etc or shell of the host's, only three devices, a
// private writable /tmp, its /proc, and its working directory in the root.
func TestHermeticActionSeesOnlyItsRoot(t *testing.T) {
	requireSandbox(t, JailOptions{})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "look.c"), []byte(lookC), 0o644)
	if out, err := exec.Command("gcc", "-static", "-O", "-o", filepath.Join(dir, "look"), filepath.Join(dir, "look.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc -static: %v\n%s", err, out)
	}
	e := newEnv(t, Options{Sandbox: SandboxHermetic})
	cmd := &repb.Command{Arguments: []string{"/look"}, WorkingDirectory: "w", OutputPaths: []string{"out"}}
	ar := e.result(t, e.run(t, e.upload(t, cmd, []client.Input{
		{Path: "look", Source: filepath.Join(dir, "look"), Executable: true}, {Path: "w", IsDir: true},
	}), time.Minute))
	got := string(e.read(t, ar.GetStdoutDigest()))
	want := "/usr no\n/etc no\n/bin/sh no\n/dev/null yes\n/dev/zero yes\n/dev/urandom yes\n/dev/full no\n" +
		"/proc/self/exe yes\n/rex no\n/look yes\ntmp writable\ncwd /w\n"
	if ar.GetExitCode() != 0 || got != want || len(ar.GetOutputFiles()) != 1 {
		t.Errorf("exit %d, outputs %d, saw:\n%s\nwant:\n%s", ar.GetExitCode(), len(ar.GetOutputFiles()), got, want)
	}
	for _, bad := range []struct {
		cmd    *repb.Command
		inputs []client.Input
	}{
		{&repb.Command{Arguments: []string{"look"}}, []client.Input{{Path: "look", Source: filepath.Join(dir, "look"), Executable: true}}},
		{&repb.Command{Arguments: []string{"/look"}}, []client.Input{
			{Path: "look", Source: filepath.Join(dir, "look"), Executable: true}, {Path: "dev", Symlink: "/"}}},
	} {
		c := e.run(t, e.upload(t, bad.cmd, bad.inputs), time.Minute)
		if c.GetStatusCode() == int32(codes.OK) && c.GetActionResultDigest() != nil && e.result(t, c).GetExitCode() == 0 {
			t.Errorf("%v with %v ran", bad.cmd.Arguments, bad.inputs)
		}
	}
}

// TestHermeticCompileMatchesLocal: the captured toolchain and the headers
// the compile reads, with no compiler of the worker's, compile the object
// the local compiler makes, with gcc and clang; without one of the headers
// the compile fails rather than finding the worker's.
func TestHermeticCompileMatchesLocal(t *testing.T) {
	requireSandbox(t, JailOptions{})
	if testing.Short() {
		t.Skip("uploads a compiler")
	}
	src := "#include <iostream>\nint main() { std::cout << \"hi\" << std::endl; }\n"
	e := newEnv(t, Options{Sandbox: SandboxHermetic})
	env := []string{"PATH=/usr/bin:/bin"}
	for _, name := range []string{"g++", "clang++"} {
		if _, err := exec.LookPath(name); err != nil {
			t.Logf("no %s", name)
			continue
		}
		tc, err := toolchain.Load(context.Background(), "", name, "/", env)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := toolchain.Capture(context.Background(), "", tc, e.fn, env)
		if err != nil {
			t.Fatal(err)
		}
		local := filepath.Join(t.TempDir(), "src")
		os.Mkdir(local, 0o755)
		os.WriteFile(filepath.Join(local, "hi.cc"), []byte(src), 0o644)
		args := []string{tc.Path, "-O2", "-c", "hi.cc", "-o", "hi.o"}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = local, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("local %s: %v\n%s", name, err, out)
		}
		want, _ := os.ReadFile(filepath.Join(local, "hi.o"))
		inputs := append(tree.Inputs(), client.Input{Path: "src/hi.cc", Data: []byte(src)})
		headers := systemHeaders(t, tc.Path, local)
		for _, h := range headers {
			inputs = append(inputs, client.Input{Path: strings.TrimPrefix(h, "/"), Source: h})
		}
		remote := &repb.Command{Arguments: args, WorkingDirectory: "src", OutputPaths: []string{"hi.o"},
			EnvironmentVariables: []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: tc.SearchPath}}}
		ar := e.result(t, e.run(t, e.upload(t, remote, inputs), time.Minute))
		if ar.GetExitCode() != 0 || len(ar.GetOutputFiles()) != 1 {
			t.Fatalf("%s hermetic: exit %d, stderr %s", name, ar.GetExitCode(), e.read(t, ar.GetStderrDigest()))
		}
		if got := e.read(t, ar.GetOutputFiles()[0].GetDigest()); string(got) != string(want) {
			t.Errorf("%s: the hermetic object differs from the local one (%d vs %d bytes)", name, len(got), len(want))
		}
		missing := append(tree.Inputs(), client.Input{Path: "src/hi.cc", Data: []byte(src)})
		for _, h := range headers {
			if !strings.HasSuffix(h, "/iostream") {
				missing = append(missing, client.Input{Path: strings.TrimPrefix(h, "/"), Source: h})
			}
		}
		ar = e.result(t, e.run(t, e.upload(t, remote, missing), time.Minute))
		if ar.GetExitCode() == 0 || !strings.Contains(string(e.read(t, ar.GetStderrDigest())), "iostream") {
			t.Errorf("%s: without <iostream> in the root: exit %d, stderr %s", name, ar.GetExitCode(), e.read(t, ar.GetStderrDigest()))
		}
	}
}

// systemHeaders lists the absolute files cc -O2 -M says hi.cc reads
// (-O2 includes more of glibc: its extern inlines).
func systemHeaders(t *testing.T, cc, dir string) []string {
	cmd := exec.Command(cc, "-O2", "-M", "hi.cc")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var hs []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(strings.ReplaceAll(string(out), "\\\n", " "))[1:] {
		if f = filepath.Clean(f); filepath.IsAbs(f) && !seen[f] {
			seen[f] = true
			hs = append(hs, f)
		}
	}
	return hs
}

// TestHermeticSandboxStopsTheWorkerWhenUnavailable: like namespaces, the
// hermetic mode never runs actions unisolated.
func TestHermeticSandboxStopsTheWorkerWhenUnavailable(t *testing.T) {
	opts, err := Options{Dir: t.TempDir(), Sandbox: SandboxHermetic, probe: func(context.Context, Options) error {
		return errors.New("simulated")
	}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chooseSandbox(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "simulated") {
		t.Errorf("chooseSandbox in hermetic mode = %v, want the probe's error", err)
	}
}

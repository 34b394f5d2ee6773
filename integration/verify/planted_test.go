package verify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

const helloC = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n"

// verboseAction finds the action digest in rex's --verbose line.
var verboseAction = regexp.MustCompile(`\(action ([0-9a-f]+)/([0-9]+);`)

// A result planted under the action digest rex computes, whose object
// differs at byte 100: served without REX_VERIFY, caught with it, the local
// object served instead, the mismatch logged and counted, and nothing said
// on the compile's stderr.
func TestVerifyCatchesPlantedResult(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is not installed")
	}
	srv := testenv.StartServer(t, "", append([]string{"--workers", "1"}, cacheWriteFlags...)...)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "hello.c"), []byte(helloC), 0o644)
	rex := newRex(t, srv.Addr, dir)
	compile := []string{"gcc", "-c", "hello.c", "-o", "hello.o"}
	ref := localObject(t, dir)

	rex.run(dir, []string{"REX_VERBOSE=1", "REX_LOG_FILE=" + rex.log}, compile...)
	m := verboseAction.FindStringSubmatch(rex.logText())
	if m == nil {
		t.Fatalf("no action digest in the verbose log:\n%s", rex.logText())
	}
	var size int64
	fmt.Sscan(m[2], &size)
	wrong := plant(t, srv.Addr, digest.Digest{Hash: m[1], Size: size}, "hello.o", 100)

	// The local cache would serve this machine's own result: the planted
	// one reaches a machine that has none, as on a CI runner.
	rex.run(dir, []string{"REX_LOCAL_CACHE_SIZE=0"}, compile...)
	if got, _ := os.ReadFile(filepath.Join(dir, "hello.o")); !bytes.Equal(got, wrong) {
		t.Fatal("without REX_VERIFY the planted object is not served: the test plants nothing")
	}

	rex.zeroStats()
	os.Remove(filepath.Join(dir, "hello.o"))
	_, stderr := rex.run(dir, []string{"REX_VERIFY=1", "REX_LOG_FILE=" + rex.log}, compile...)
	if got, _ := os.ReadFile(filepath.Join(dir, "hello.o")); !bytes.Equal(got, ref) {
		t.Error("with REX_VERIFY the object is not the local compile's")
	}
	if stderr != "" {
		t.Errorf("the compile's stderr carries rex's words: %q", stderr)
	}
	want := fmt.Sprintf("verify: action %s/%d (cache hit) differs", m[1], size)
	detail := fmt.Sprintf("hello.o: remote %d bytes, local %d bytes, first difference at byte 100", len(wrong), len(ref))
	if log := rex.logText(); !strings.Contains(log, want) || !strings.Contains(log, detail) {
		t.Errorf("log lacks %q and %q:\n%s", want, detail, log)
	}
	if c := rex.stats(); c.CacheHits != 1 || c.Verified != 1 || c.VerifyMismatches != 1 {
		t.Errorf("stats %+v, want 1 cache hit, 1 verified, 1 mismatch", c)
	}

	// With stderr captured and no log file, rex stays silent; it still counts.
	_, stderr = rex.run(dir, []string{"REX_VERIFY=1"}, compile...)
	if stderr != "" {
		t.Errorf("a captured stderr carries the mismatch: %q", stderr)
	}
	if c := rex.stats(); c.VerifyMismatches != 2 {
		t.Errorf("stats %+v, want 2 mismatches", c)
	}
	if out, _ := rex.run(dir, nil, "stats"); !strings.Contains(out, "verify mismatches  2") || !strings.Contains(out, "last mismatch") {
		t.Errorf("rex stats does not show the mismatches:\n%s", out)
	}
}

// localObject compiles hello.c with gcc alone and returns the object.
func localObject(t *testing.T, dir string) []byte {
	t.Helper()
	cmd := exec.Command("gcc", "-c", "hello.c", "-o", "ref.o")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "ref.o"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plant replaces output obj of action's cached result by a blob that
// differs from it at byte off, and returns that blob.
func plant(t *testing.T, server string, action digest.Digest, obj string, off int) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Server: server, RPCTimeout: 10 * time.Second, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fn, err := c.Function(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ar, err := c.GetActionResult(ctx, action, nil)
	if err != nil || ar == nil {
		t.Fatalf("GetActionResult %s: %v, %v", action, ar, err)
	}
	var wrong []byte
	for _, f := range ar.OutputFiles {
		if f.Path == obj {
			wrong = wrongCopy(ctx, t, c, f, off)
			d := fn.FromBytes(wrong)
			if err := c.Upload(ctx, []client.Blob{{Digest: d, Data: wrong}}); err != nil {
				t.Fatal(err)
			}
			f.Digest = d.Proto()
		}
	}
	if wrong == nil {
		t.Fatalf("the cached result has no %s", obj)
	}
	if err := c.UpdateActionResult(ctx, action, ar); err != nil {
		t.Fatalf("UpdateActionResult (does rex-server need a flag in cacheWriteFlags?): %v", err)
	}
	return wrong
}

func wrongCopy(ctx context.Context, t *testing.T, c *client.Client, f *repb.OutputFile, off int) []byte {
	t.Helper()
	d, err := digest.FromProto(f.Digest)
	if err != nil {
		t.Fatal(err)
	}
	good, err := c.ReadBlob(ctx, d)
	if err != nil || len(good) <= off {
		t.Fatalf("read %s: %d bytes, %v", f.Path, len(good), err)
	}
	wrong := bytes.Clone(good)
	wrong[off] ^= 0xff
	return wrong
}

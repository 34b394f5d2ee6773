package localhit

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/localcache"
)

// A kept result cut short after its outputs still reads as a result, one
// without the compile's warnings; with a byte of its stderr changed, one
// with other warnings. Either must be a miss: a hit replays the streams.
func TestDamagedKeptResultIsAMiss(t *testing.T) {
	dir := t.TempDir()
	cache := localcache.Open(filepath.Join(t.TempDir(), "cache"), 1<<30)
	os.WriteFile(filepath.Join(dir, "a.o"), []byte("object"), 0o644)
	action := digest.SHA256.FromBytes([]byte("action"))
	key := ResultKey(action, false, "")
	warning := []byte("a.c:1:5: warning: unused variable 'x'\n")
	if err := Keep(cache, dir, key, Result{Files: []OutputFile{{Path: "a.o"}}, Stderr: warning}); err != nil {
		t.Fatal(err)
	}
	rec := &Recorded{Replay: Replay{Outputs: []string{"a.o"}}, Action: action}
	if r, ok := Serve(cache, dir, rec); !ok || !bytes.Equal(r.Stderr, warning) {
		t.Fatalf("the kept result is not served whole: %v, %q", ok, r.Stderr)
	}
	whole, _ := os.ReadFile(cache.Path(localcache.Results, key))
	// The first field is the output file: its tag, length and message.
	n, size := binary.Uvarint(whole[1:])
	for name, damaged := range map[string][]byte{
		"cut after its outputs":    whole[:1+size+int(n)],
		"a byte of stderr changed": bytes.Replace(whole, []byte("unused"), []byte("Unused"), 1),
	} {
		os.WriteFile(cache.Path(localcache.Results, key), damaged, 0o644)
		if r, ok := Serve(cache, dir, rec); ok {
			t.Errorf("%s: served, stderr %q", name, r.Stderr)
		}
	}
}

// A sealed result is still an ActionResult to the generated code: the sum
// is a field it keeps as unknown.
func TestSealedResultReadsAsGenerated(t *testing.T) {
	obj := digest.SHA256.FromBytes([]byte("object"))
	data := seal(EncodeResult(Result{Files: []OutputFile{{Path: "a.o", Digest: obj}}, Stderr: []byte("w\n")}, time.Now()))
	var ar repb.ActionResult
	if err := proto.Unmarshal(data, &ar); err != nil {
		t.Fatal(err)
	}
	if len(ar.OutputFiles) != 1 || ar.OutputFiles[0].Path != "a.o" || string(ar.StderrRaw) != "w\n" {
		t.Errorf("read as %v", &ar)
	}
	if body, ok := unseal(data); !ok || len(body) != len(data)-len(sealTag)-4 {
		t.Error("a sealed result does not unseal")
	}
}

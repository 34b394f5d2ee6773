package security

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// actionKeys lists the action digests a rex-server stored results for, read
// from its directory (ac/sha256/xx/HASH-SIZE).
func actionKeys(t *testing.T, dir string) []digest.Digest {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "ac", "sha256", "*", "*"))
	var keys []digest.Digest
	for _, f := range files {
		hash, size, ok := strings.Cut(filepath.Base(f), "-")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok || err != nil {
			continue
		}
		d, err := digest.New(hash, n)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, d)
	}
	return keys
}

// forge stores junk as the object of action d, the way a cache poisoner
// would: the blob goes into the CAS, then a result pointing at it.
func forge(t *testing.T, conn *grpc.ClientConn, token string, d digest.Digest, junk []byte) error {
	t.Helper()
	jd := digest.SHA256.FromBytes(junk)
	_, err := repb.NewContentAddressableStorageClient(conn).BatchUpdateBlobs(callCtx(t, token), &repb.BatchUpdateBlobsRequest{
		Requests: []*repb.BatchUpdateBlobsRequest_Request{{Digest: jd.Proto(), Data: junk}}})
	if err != nil {
		t.Fatalf("upload the forged object: %v", err)
	}
	_, err = repb.NewActionCacheClient(conn).UpdateActionResult(callCtx(t, token), &repb.UpdateActionResultRequest{
		ActionDigest: d.Proto(),
		ActionResult: &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "hello.o", Digest: jd.Proto()}}}})
	return err
}

// The action key of hello.cpp is learnt from a scratch server; an execute
// token cannot write a result for it, and rex's next compile is a real
// remote execution. A cache-write token could: that shows the key is right
// and the attack real.
func TestCachePoisoningRefused(t *testing.T) {
	skipShort(t)
	requireGxx(t)
	scratch := testenv.StartServer(t, "", "--workers", "1")
	p := newProject(t, scratch.Addr)
	want := p.local()
	if _, c := p.compile(); c.RemoteExecutions != 1 {
		t.Fatalf("scratch compile: %+v", c)
	}
	keys := actionKeys(t, scratch.Dir)
	if len(keys) != 1 {
		t.Fatalf("scratch server holds %d results, want 1", len(keys))
	}
	key := keys[0]

	srv, _ := tokensServer(t, teamTokens, "--workers", "1")
	conn := dial(t, srv.Addr)
	junk := []byte("\x7fELF forged object")
	err := forge(t, conn, execToken, key, junk)
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("UpdateActionResult with an execute token: %v, want PermissionDenied", err)
	}
	if n := len(actionKeys(t, srv.Dir)); n != 0 {
		t.Fatalf("the refused write left %d results", n)
	}

	p = newProjectIn(t, p.dir, srv.Addr, "REX_TOKEN="+execToken)
	got, c := p.compile()
	if c.RemoteExecutions != 1 || c.CacheHits != 0 || c.LocalFallbacks != 0 {
		t.Errorf("compile after the forgery: %+v, want one remote execution", c)
	}
	if !bytes.Equal(got, want) {
		t.Error("the remote object differs from the local compile")
	}
	if keys := actionKeys(t, srv.Dir); len(keys) != 1 || keys[0] != key {
		t.Errorf("server results %v, want exactly the forged key %v", keys, key)
	}

	if err := forge(t, conn, writeToken, key, junk); err != nil {
		t.Fatalf("UpdateActionResult with a cache-write token: %v", err)
	}
	// A machine without this one's local cache asks the server.
	p = newProjectIn(t, p.dir, srv.Addr, "REX_TOKEN="+execToken, "REX_LOCAL_CACHE_SIZE=0")
	if got, c := p.compile(); c.CacheHits != 1 || !bytes.Equal(got, junk) {
		t.Errorf("control: a cache-write token's result was not served (%+v): the test's key is wrong", c)
	}
}

// newProjectIn is newProject over an existing source directory.
func newProjectIn(t *testing.T, dir, server string, env ...string) *project {
	p := newProject(t, server, env...)
	os.RemoveAll(p.dir)
	p.dir = dir
	return p
}

// Without --tokens, UpdateActionResult is refused and says how to allow it;
// with --allow-cache-writes it is accepted.
func TestCacheWritesWithoutTokens(t *testing.T) {
	skipShort(t)
	key := digest.SHA256.FromBytes([]byte("some action"))
	update := func(conn *grpc.ClientConn) error {
		_, err := repb.NewActionCacheClient(conn).UpdateActionResult(callCtx(t, ""), &repb.UpdateActionResultRequest{
			ActionDigest: key.Proto(), ActionResult: &repb.ActionResult{}})
		return err
	}
	closed := testenv.StartServer(t, "", "--workers", "0")
	err := update(dial(t, closed.Addr))
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "--allow-cache-writes") {
		t.Errorf("default server: %v, want PermissionDenied naming --allow-cache-writes", err)
	}
	if !logShows(closed, "refused /build.bazel.remote.execution.v2.ActionCache/UpdateActionResult from 127.0.0.1:") {
		t.Errorf("the refusal is not logged with its peer:\n%s", closed.Log())
	}
	open := testenv.StartServer(t, "", "--workers", "0", "--allow-cache-writes")
	if err := update(dial(t, open.Addr)); err != nil {
		t.Errorf("--allow-cache-writes: %v", err)
	}
}

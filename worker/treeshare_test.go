package worker

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/execution"
	"github.com/rexbuild/rex/server"
)

// As in rex-server, Execute's check and an embedded worker share one cache
// of Directories: each Directory of the input tree is read from the store
// once, by the check, and the worker stages the tree from what it kept.
func TestEmbeddedWorkerStagesTheTreeExecuteChecked(t *testing.T) {
	blobs := &countingStore{BlobStore: cas.NewMemoryStore()}
	dirs := cas.NewDirectories(cas.DefaultDirectoriesBytes)
	addr := serveScheduler(t, blobs, execution.Options{HeartbeatInterval: 200 * time.Millisecond, Directories: dirs})
	cl, err := client.Dial(context.Background(), client.Config{Server: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts := Options{Dir: t.TempDir(), LeaseWait: time.Second, Logf: t.Logf, Sandbox: SandboxNone,
		Store: blobs, Directories: dirs}
	go func() { done <- New(cl.Conn(), cl, opts).Run(ctx) }()
	defer func() { cancel(); <-done }()

	e := &testEnv{cas: cl, fn: digest.SHA256}
	inputs := []client.Input{{Path: "include/sys/a.h", Data: []byte("a")}, {Path: "include/b.h", Data: []byte("b")},
		{Path: "src/x.c", Data: []byte("x")}}
	ad := e.upload(t, shCommand("cat include/sys/a.h include/b.h src/x.c", "o"), inputs)
	resp, err := cl.Execute(context.Background(), ad, client.ExecuteOptions{SkipCacheLookup: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetStatus().GetCode() != 0 || resp.GetResult().GetExitCode() != 0 {
		t.Fatalf("status %v, exit %d", resp.GetStatus(), resp.GetResult().GetExitCode())
	}
	treeDirs := directoriesOf(t, blobs, inputs)
	if len(treeDirs) != 4 {
		t.Fatalf("the input tree has %d Directories, want 4", len(treeDirs))
	}
	for _, d := range treeDirs {
		if n := blobs.reads(d); n != 1 {
			t.Errorf("Directory %s read %d times, want once", d, n)
		}
	}
}

// directoriesOf lists the Directory digests of the tree inputs build.
func directoriesOf(t *testing.T, blobs cas.BlobStore, inputs []client.Input) []digest.Digest {
	t.Helper()
	root, all, err := client.BuildTree(digest.SHA256, inputs)
	if err != nil {
		t.Fatal(err)
	}
	data := map[digest.Digest][]byte{}
	for _, b := range all {
		data[b.Digest] = b.Data
	}
	var out []digest.Digest
	todo := []digest.Digest{root}
	for len(todo) > 0 {
		d := todo[0]
		todo = todo[1:]
		out = append(out, d)
		dir := &repb.Directory{}
		if err := proto.Unmarshal(data[d], dir); err != nil {
			t.Fatal(err)
		}
		for _, sub := range dir.GetDirectories() {
			sd, err := digest.FromProto(sub.GetDigest())
			if err != nil {
				t.Fatal(err)
			}
			todo = append(todo, sd)
		}
	}
	return out
}

// serveScheduler serves the CAS, action cache, Execution and Workers
// services over blobs on a unix socket and returns its address.
func serveScheduler(t *testing.T, blobs cas.BlobStore, opts execution.Options) string {
	t.Helper()
	sockDir, err := os.MkdirTemp("", "rxs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	ln, err := net.Listen("unix", filepath.Join(sockDir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	ac := cas.NewActionCache(blobs)
	srv := grpc.NewServer()
	server.Register(srv, blobs, ac, server.Options{Execution: true, UploadDir: t.TempDir()})
	sched := execution.New(blobs, ac, opts)
	sched.Register(srv)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Stop(); sched.Close() })
	return "unix://" + ln.Addr().String()
}

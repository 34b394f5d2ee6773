package execution

import (
	"slices"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// A Directory kept from an earlier check is still looked up in the store:
// once evicted, Execute reports it missing, as it did before it was kept.
func TestKeptDirectoryEvictedIsReportedMissing(t *testing.T) {
	store := &evictingStore{BlobStore: cas.NewMemoryStore(), gone: map[digest.Digest]bool{}}
	e := newEnvWith(t, fastOptions(), store)
	inc := e.putMsg(e.dir(map[string]string{"b.h": "int b;"}))
	root := e.dir(map[string]string{"a.c": "int a;"})
	root.Directories = []*repb.DirectoryNode{{Name: "inc", Digest: inc.Proto()}}
	rootDigest := e.putMsg(root)
	action := func(arg string) digest.Digest {
		cmd := e.putMsg(&repb.Command{Arguments: []string{"cc", "-c", arg}})
		return e.putMsg(&repb.Action{CommandDigest: cmd.Proto(), InputRootDigest: rootDigest.Proto()})
	}
	recv(t, e.execute(ctxT(t), action("a.c"), nil), repb.ExecutionStage_QUEUED)
	if _, ok := e.s.opts.Directories.Get(cas.Key{Function: digest.SHA256, Digest: inc}); !ok {
		t.Fatal("the checked input directory was not kept")
	}
	store.evict(inc)
	got := missingSubjects(t, e.executeErr(action("-DX a.c"), nil))
	if want := subjects(inc); !slices.Equal(got, want) {
		t.Errorf("missing = %v, want %v", got, want)
	}
}

// Only a valid Directory is kept, since the workers that share the cache
// stage what they find there without checking it again; an invalid one
// still passes the check, and a worker refuses it as it reads it.
func TestInvalidDirectoryIsNotKept(t *testing.T) {
	e := newEnvWith(t, fastOptions(), cas.NewMemoryStore())
	bad := e.dir(map[string]string{"a.h": "int a;", "b.h": "int b;"})
	bad.Files[0], bad.Files[1] = bad.Files[1], bad.Files[0] // out of order
	badDigest := e.putMsg(bad)
	good := e.dir(map[string]string{"c.h": "int c;"})
	good.Directories = []*repb.DirectoryNode{{Name: "bad", Digest: badDigest.Proto()}}
	goodDigest := e.putMsg(good)
	cmd := e.putMsg(&repb.Command{Arguments: []string{"cc", "-c", "c.c"}})
	action := e.putMsg(&repb.Action{CommandDigest: cmd.Proto(), InputRootDigest: goodDigest.Proto()})
	recv(t, e.execute(ctxT(t), action, nil), repb.ExecutionStage_QUEUED)
	if _, ok := e.s.opts.Directories.Get(cas.Key{Function: digest.SHA256, Digest: goodDigest}); !ok {
		t.Error("the valid input directory was not kept")
	}
	if _, ok := e.s.opts.Directories.Get(cas.Key{Function: digest.SHA256, Digest: badDigest}); ok {
		t.Error("the directory with unsorted files was kept")
	}
}

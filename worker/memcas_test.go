package worker

import (
	"context"
	"os"
	"sync"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// memCAS is an in-memory casStore that counts the blobs read from it, so
// that tests can tell what crossed the wire.
type memCAS struct {
	fn    digest.Function
	mu    sync.Mutex
	blobs map[digest.Digest][]byte
	reads map[digest.Digest]int
}

func newMemCAS(fn digest.Function) *memCAS {
	return &memCAS{fn: fn, blobs: map[digest.Digest][]byte{}, reads: map[digest.Digest]int{}}
}

// tree stores the inputs and returns the root Directory's digest.
func (m *memCAS) tree(t testing.TB, inputs []client.Input) digest.Digest {
	t.Helper()
	root, blobs, err := client.BuildTree(m.fn, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Upload(context.Background(), blobs); err != nil {
		t.Fatal(err)
	}
	return root
}

func (m *memCAS) readCount(d digest.Digest) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads[d]
}

func (m *memCAS) ReadBlob(ctx context.Context, d digest.Digest) ([]byte, error) {
	got, err := m.ReadBlobs(ctx, []digest.Digest{d})
	return got[d], err
}

func (m *memCAS) ReadBlobs(_ context.Context, ds []digest.Digest) (map[digest.Digest][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[digest.Digest][]byte{}
	for _, d := range ds {
		b, ok := m.blobs[d]
		if !ok {
			return nil, status.Errorf(codes.NotFound, "blob %s", d)
		}
		m.reads[d]++
		out[d] = b
	}
	return out, nil
}

func (m *memCAS) DownloadFile(ctx context.Context, d digest.Digest, path string, executable bool) error {
	b, err := m.ReadBlob(ctx, d)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, atomicfile.OutputMode(executable))
}

func (m *memCAS) GetTree(ctx context.Context, root digest.Digest) (map[digest.Digest]*repb.Directory, error) {
	out := map[digest.Digest]*repb.Directory{}
	todo := []digest.Digest{root}
	for len(todo) > 0 {
		d := todo[0]
		todo = todo[1:]
		if _, ok := out[d]; ok {
			continue
		}
		m.mu.Lock()
		b, ok := m.blobs[d]
		m.mu.Unlock()
		if !ok {
			return nil, status.Errorf(codes.NotFound, "directory %s", d)
		}
		dir := &repb.Directory{}
		if err := proto.Unmarshal(b, dir); err != nil {
			return nil, err
		}
		out[d] = dir
		for _, sub := range dir.GetDirectories() {
			sd, _ := digest.FromProto(sub.GetDigest())
			todo = append(todo, sd)
		}
	}
	return out, nil
}

func (m *memCAS) Upload(_ context.Context, blobs []client.Blob) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range blobs {
		data := b.Data
		if b.Path != "" {
			var err error
			if data, err = os.ReadFile(b.Path); err != nil {
				return err
			}
		}
		m.blobs[b.Digest] = data
	}
	return nil
}

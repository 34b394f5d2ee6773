package server

import (
	"context"
	"net"
	"path/filepath"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// env is an in-process server and clients for its services.
type env struct {
	blobs   cas.BlobStore
	uploads string // Options.UploadDir
	cas     repb.ContentAddressableStorageClient
	bs      bspb.ByteStreamClient
	ac      repb.ActionCacheClient
	caps    repb.CapabilitiesClient
}

func start(t *testing.T, blobs cas.BlobStore, opts Options) *env {
	t.Helper()
	if blobs == nil {
		blobs = cas.NewMemoryStore()
	}
	return startWith(t, blobs, cas.NewActionCache(blobs), opts)
}

// startWith serves blobs and ac.
func startWith(t *testing.T, blobs cas.BlobStore, ac cas.ActionCache, opts Options) *env {
	t.Helper()
	if opts.UploadDir == "" {
		opts.UploadDir = filepath.Join(t.TempDir(), "uploads") // created by Register
	}
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer(GRPCServerOptions(opts)...)
	Register(s, blobs, ac, opts)
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &env{
		blobs:   blobs,
		uploads: opts.UploadDir,
		cas:     repb.NewContentAddressableStorageClient(conn),
		bs:      bspb.NewByteStreamClient(conn),
		ac:      repb.NewActionCacheClient(conn),
		caps:    repb.NewCapabilitiesClient(conn),
	}
}

func TestCapabilities(t *testing.T) {
	e := start(t, nil, Options{Execution: true})
	c, err := e.caps.GetCapabilities(context.Background(), &repb.GetCapabilitiesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cc, ec := c.GetCacheCapabilities(), c.GetExecutionCapabilities()
	both := []repb.DigestFunction_Value{repb.DigestFunction_SHA256, repb.DigestFunction_BLAKE3}
	switch {
	case !equal(cc.GetDigestFunctions(), both), !equal(ec.GetDigestFunctions(), both):
		t.Errorf("digest functions: cache %v exec %v", cc.GetDigestFunctions(), ec.GetDigestFunctions())
	case ec.GetDigestFunction() != repb.DigestFunction_SHA256 || !ec.GetExecEnabled():
		t.Errorf("execution capabilities: %v", ec)
	case cc.GetMaxBatchTotalSizeBytes() != DefaultMaxBatchBytes:
		t.Errorf("max batch = %d", cc.GetMaxBatchTotalSizeBytes())
	case !cc.GetActionCacheUpdateCapabilities().GetUpdateEnabled():
		t.Error("AC updates not enabled")
	case cc.GetSymlinkAbsolutePathStrategy() != repb.SymlinkAbsolutePathStrategy_DISALLOWED:
		t.Error("absolute symlinks not DISALLOWED")
	case !equal(cc.GetSupportedCompressors(), []repb.Compressor_Value{repb.Compressor_ZSTD}):
		t.Errorf("compressors %v", cc.GetSupportedCompressors())
	case c.GetLowApiVersion().GetMajor() != 2 || c.GetHighApiVersion().GetMinor() != 3:
		t.Errorf("api versions %v..%v", c.GetLowApiVersion(), c.GetHighApiVersion())
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sha(data string) *repb.Digest { return digest.SHA256.FromBytes([]byte(data)).Proto() }

func digestList(ds ...digest.Digest) []*repb.Digest {
	var out []*repb.Digest
	for _, d := range ds {
		out = append(out, d.Proto())
	}
	return out
}

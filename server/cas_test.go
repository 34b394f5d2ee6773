package server

import (
	"context"
	"io"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"github.com/klauspost/compress/zstd"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

func update(t *testing.T, e *env, f repb.DigestFunction_Value, reqs ...*repb.BatchUpdateBlobsRequest_Request) []codes.Code {
	t.Helper()
	resp, err := e.cas.BatchUpdateBlobs(context.Background(), &repb.BatchUpdateBlobsRequest{
		InstanceName: "any/instance", Requests: reqs, DigestFunction: f})
	if err != nil {
		t.Fatalf("BatchUpdateBlobs: %v", err)
	}
	var got []codes.Code
	for _, r := range resp.GetResponses() {
		got = append(got, codes.Code(r.GetStatus().GetCode()))
	}
	return got
}

func blob(data string) *repb.BatchUpdateBlobsRequest_Request {
	return &repb.BatchUpdateBlobsRequest_Request{Digest: sha(data), Data: []byte(data)}
}

func TestBatchRoundTrip(t *testing.T) {
	e := start(t, nil, Options{})
	if got := update(t, e, repb.DigestFunction_UNKNOWN, blob("one"), blob("two")); !equal(got, []codes.Code{codes.OK, codes.OK}) {
		t.Fatalf("update statuses %v", got)
	}
	resp, err := e.cas.BatchReadBlobs(context.Background(), &repb.BatchReadBlobsRequest{
		Digests: []*repb.Digest{sha("one"), sha("two"), sha("three")}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range resp.GetResponses() {
		got = append(got, string(r.GetData())+":"+codes.Code(r.GetStatus().GetCode()).String())
	}
	if want := []string{"one:OK", "two:OK", ":NotFound"}; !equal(got, want) {
		t.Errorf("BatchReadBlobs = %v, want %v", got, want)
	}
}

// One corrupt blob fails alone, with INVALID_ARGUMENT; the others are stored.
func TestBatchUpdateRejectsCorruptBlob(t *testing.T) {
	e := start(t, nil, Options{})
	bad := &repb.BatchUpdateBlobsRequest_Request{Digest: sha("claimed"), Data: []byte("actual")}
	malformed := &repb.BatchUpdateBlobsRequest_Request{Digest: &repb.Digest{Hash: "abc", SizeBytes: 3}, Data: []byte("abc")}
	got := update(t, e, repb.DigestFunction_SHA256, blob("fine"), bad, malformed)
	if want := []codes.Code{codes.OK, codes.InvalidArgument, codes.InvalidArgument}; !equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	missing := findMissing(t, e, repb.DigestFunction_SHA256, sha("fine"), sha("claimed"))
	if len(missing) != 1 || missing[0].GetHash() != sha("claimed").GetHash() {
		t.Errorf("missing %v, want only the corrupt one", missing)
	}
}

func TestBatchTooLargeRefused(t *testing.T) {
	e := start(t, nil, Options{MaxBatchBytes: 1024})
	big := strings.Repeat("x", 700)
	_, err := e.cas.BatchUpdateBlobs(context.Background(), &repb.BatchUpdateBlobsRequest{
		Requests: []*repb.BatchUpdateBlobsRequest_Request{blob(big), blob(big + "y")}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "max_batch_total_size_bytes") {
		t.Errorf("oversize BatchUpdateBlobs: %v, want InvalidArgument naming the limit", err)
	}
	_, err = e.cas.BatchReadBlobs(context.Background(), &repb.BatchReadBlobsRequest{
		Digests: []*repb.Digest{sha(big), sha(big + "y")}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("oversize BatchReadBlobs: %v, want InvalidArgument", err)
	}
}

func findMissing(t *testing.T, e *env, f repb.DigestFunction_Value, ds ...*repb.Digest) []*repb.Digest {
	t.Helper()
	resp, err := e.cas.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{BlobDigests: ds, DigestFunction: f})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetMissingBlobDigests()
}

func TestEmptyBlobAlwaysFound(t *testing.T) {
	e := start(t, nil, Options{})
	for _, f := range digest.Functions {
		if m := findMissing(t, e, f.Proto(), f.Empty().Proto()); len(m) != 0 {
			t.Errorf("%s: empty blob missing", f)
		}
	}
}

// Both functions' hashes are 64 hex digits: the request's digest_function,
// never the hash, decides which one a digest belongs to.
func TestDigestFunctionsKeptApart(t *testing.T) {
	e := start(t, nil, Options{})
	b3 := digest.BLAKE3.FromBytes([]byte("data")).Proto()
	req := &repb.BatchUpdateBlobsRequest_Request{Digest: b3, Data: []byte("data")}
	if got := update(t, e, repb.DigestFunction_SHA256, req); got[0] != codes.InvalidArgument {
		t.Errorf("BLAKE3 digest under SHA-256: %v, want InvalidArgument", got)
	}
	if got := update(t, e, repb.DigestFunction_BLAKE3, req); got[0] != codes.OK {
		t.Errorf("BLAKE3 upload: %v", got)
	}
	if m := findMissing(t, e, repb.DigestFunction_BLAKE3, b3); len(m) != 0 {
		t.Error("BLAKE3 blob missing after upload")
	}
	if m := findMissing(t, e, repb.DigestFunction_SHA256, b3, sha("data")); len(m) != 2 {
		t.Errorf("SHA-256 namespace sees BLAKE3 blob: missing %v", m)
	}
}

func TestBatchUpdateZstd(t *testing.T) {
	e := start(t, nil, Options{})
	data := strings.Repeat("compressible ", 100)
	enc, _ := zstd.NewWriter(nil)
	z := enc.EncodeAll([]byte(data), nil)
	req := &repb.BatchUpdateBlobsRequest_Request{Digest: sha(data), Data: z, Compressor: repb.Compressor_ZSTD}
	bad := &repb.BatchUpdateBlobsRequest_Request{Digest: sha("x"), Data: []byte("not zstd"), Compressor: repb.Compressor_ZSTD}
	if got := update(t, e, repb.DigestFunction_SHA256, req, bad); !equal(got, []codes.Code{codes.OK, codes.InvalidArgument}) {
		t.Fatalf("statuses %v", got)
	}
	if got := readBlob(t, e, "blobs/"+digest.SHA256.FromBytes([]byte(data)).String(), 0, 0); got != data {
		t.Errorf("read back %d bytes, want %d", len(got), len(data))
	}
}

// putDir stores a Directory and returns its node.
func putDir(t *testing.T, e *env, name string, subdirs ...*repb.DirectoryNode) *repb.DirectoryNode {
	t.Helper()
	d, b, err := digest.SHA256.FromMessage(&repb.Directory{
		Files:       []*repb.FileNode{{Name: name + ".c", Digest: sha(name)}},
		Directories: subdirs})
	if err != nil {
		t.Fatal(err)
	}
	if got := update(t, e, repb.DigestFunction_SHA256, &repb.BatchUpdateBlobsRequest_Request{Digest: d.Proto(), Data: b}); got[0] != codes.OK {
		t.Fatal(got)
	}
	return &repb.DirectoryNode{Name: name, Digest: d.Proto()}
}

func TestGetTreePaged(t *testing.T) {
	e := start(t, nil, Options{})
	c := putDir(t, e, "c")
	shared := putDir(t, e, "shared")
	a := putDir(t, e, "a", c, shared)
	b := putDir(t, e, "b", shared)
	missing := &repb.DirectoryNode{Name: "gone", Digest: sha("not a directory")}
	root := putDir(t, e, "root", a, b, missing)

	collect := func(token string) (names []string, tokens []string) {
		stream, err := e.cas.GetTree(context.Background(), &repb.GetTreeRequest{RootDigest: root.Digest, PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for {
			resp, err := stream.Recv()
			if err != nil {
				if err != io.EOF {
					t.Fatal(err)
				}
				return names, tokens
			}
			for _, d := range resp.GetDirectories() {
				names = append(names, d.GetFiles()[0].GetName())
			}
			tokens = append(tokens, resp.GetNextPageToken())
		}
	}
	names, tokens := collect("")
	if want := []string{"root.c", "a.c", "b.c", "c.c", "shared.c"}; !equal(names, want) {
		t.Errorf("GetTree = %v, want %v (breadth first, shared once, missing omitted)", names, want)
	}
	if len(tokens) != 3 || tokens[2] != "" {
		t.Fatalf("page tokens %q, want 3 pages, the last without a token", tokens)
	}
	rest, _ := collect(tokens[0])
	if !equal(rest, names[2:]) {
		t.Errorf("resumed at %q: %v, want %v", tokens[0], rest, names[2:])
	}
	stream, _ := e.cas.GetTree(context.Background(), &repb.GetTreeRequest{RootDigest: sha("no root")})
	if _, err := stream.Recv(); status.Code(err) != codes.NotFound {
		t.Errorf("GetTree of a missing root: %v, want NotFound", err)
	}
}

package conformance

import (
	"bytes"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// testCASSmallRoundTrip: BatchUpdateBlobs, then FindMissingBlobs, BatchReadBlobs
// and ByteStream.Read all see exactly the uploaded bytes.
func testCASSmallRoundTrip(t *testing.T, s *session) {
	c := ctx(t)
	blobs := [][]byte{randomBytes(t, 1), randomBytes(t, 100), randomBytes(t, 64<<10)}
	ds := s.batchUpdate(t, c, blobs...)
	if m := s.missing(t, c, ds...); len(m) != 0 {
		t.Fatalf("FindMissingBlobs after upload reports %v missing", m)
	}
	req := &repb.BatchReadBlobsRequest{InstanceName: s.instance, DigestFunction: s.fnField()}
	for _, d := range ds {
		req.Digests = append(req.Digests, d.Proto())
	}
	resp, err := s.cas.BatchReadBlobs(c, req)
	if err != nil {
		t.Fatalf("BatchReadBlobs: %v", err)
	}
	got := map[digest.Digest][]byte{}
	for _, r := range resp.GetResponses() {
		if err := status.FromProto(r.GetStatus()).Err(); err != nil {
			t.Errorf("BatchReadBlobs %v: %v", r.GetDigest(), err)
			continue
		}
		d, err := digest.FromProto(r.GetDigest())
		if err != nil {
			t.Fatal(err)
		}
		got[d] = r.GetData()
	}
	for i, d := range ds {
		if !bytes.Equal(got[d], blobs[i]) {
			t.Errorf("BatchReadBlobs %s: got %d bytes, want the %d uploaded", d, len(got[d]), len(blobs[i]))
		}
		b, err := s.bsRead(c, d, 0, 0)
		if err != nil || !bytes.Equal(b, blobs[i]) {
			t.Errorf("ByteStream.Read %s: %d bytes, err %v; want the %d uploaded", d, len(b), err, len(blobs[i]))
		}
	}
}

// testCASLargeByteStream: a blob larger than max_batch_total_size_bytes goes
// through ByteStream.Write in chunks and comes back whole through Read.
func testCASLargeByteStream(t *testing.T, s *session) {
	c := ctx(t)
	data := randomBytes(t, int(s.maxBatch())+(1<<20)+17)
	d := s.fn.FromBytes(data)
	n, err := s.bsWrite(c, d, data, 64<<10)
	if err != nil {
		t.Fatalf("ByteStream.Write %s: %v", d, err)
	}
	if n != d.Size {
		t.Errorf("committed_size = %d, want %d", n, d.Size)
	}
	if m := s.missing(t, c, d); m[d] {
		t.Fatalf("FindMissingBlobs reports the written blob %s missing", d)
	}
	got, err := s.bsRead(c, d, 0, 0)
	if err != nil {
		t.Fatalf("ByteStream.Read %s: %v", d, err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("ByteStream.Read %s: got %d bytes (%s), want the %d written", d, len(got), s.fn.FromBytes(got), len(data))
	}
}

// testEmptyBlob: "Servers MUST behave as though empty blobs are always
// available, even if they have not been uploaded."
func testEmptyBlob(t *testing.T, s *session) {
	c := ctx(t)
	e := s.fn.Empty()
	if m := s.missing(t, c, e); m[e] {
		t.Errorf("FindMissingBlobs reports the empty blob %s missing", e)
	}
	resp, err := s.cas.BatchReadBlobs(c, &repb.BatchReadBlobsRequest{
		InstanceName: s.instance, DigestFunction: s.fnField(), Digests: []*repb.Digest{e.Proto()},
	})
	if err != nil {
		t.Fatalf("BatchReadBlobs(empty): %v", err)
	}
	for _, r := range resp.GetResponses() {
		if err := status.FromProto(r.GetStatus()).Err(); err != nil || len(r.GetData()) != 0 {
			t.Errorf("BatchReadBlobs(empty): %d bytes, status %v", len(r.GetData()), err)
		}
	}
	if b, err := s.bsRead(c, e, 0, 0); err != nil || len(b) != 0 {
		t.Errorf("ByteStream.Read(empty): %d bytes, err %v", len(b), err)
	}
}

// testFindMissingBlobs: absent blobs are reported, present ones are not,
// in one mixed request.
func testFindMissingBlobs(t *testing.T, s *session) {
	c := ctx(t)
	present := s.batchUpdate(t, c, randomBytes(t, 10), randomBytes(t, 20))
	absent := []digest.Digest{s.fn.FromBytes(randomBytes(t, 30)), s.fn.FromBytes(randomBytes(t, 40))}
	m := s.missing(t, c, append(append([]digest.Digest{}, present...), absent...)...)
	for _, d := range present {
		if m[d] {
			t.Errorf("present blob %s reported missing", d)
		}
	}
	for _, d := range absent {
		if !m[d] {
			t.Errorf("absent blob %s not reported missing", d)
		}
	}
	if len(m) != len(absent) {
		t.Errorf("FindMissingBlobs returned %d digests, want %d", len(m), len(absent))
	}
}

// testBatchUpdateWrongDigest: "Individual requests may return ... INVALID_ARGUMENT:
// The Digest does not match the provided data." One bad blob must not fail
// the good one next to it, nor be stored.
func testBatchUpdateWrongDigest(t *testing.T, s *session) {
	c := ctx(t)
	good, bad, other := randomBytes(t, 50), randomBytes(t, 60), randomBytes(t, 60)
	gd := s.fn.FromBytes(good)
	wrongHash := s.fn.FromBytes(other) // same size as bad, other content
	wrongSize := digest.Digest{Hash: s.fn.FromBytes(bad).Hash, Size: 61}
	resp, err := s.cas.BatchUpdateBlobs(c, &repb.BatchUpdateBlobsRequest{
		InstanceName: s.instance, DigestFunction: s.fnField(),
		Requests: []*repb.BatchUpdateBlobsRequest_Request{
			{Digest: gd.Proto(), Data: good},
			{Digest: wrongHash.Proto(), Data: bad},
			{Digest: wrongSize.Proto(), Data: bad},
		},
	})
	if err != nil {
		// The whole call failing is not what the spec describes ("The requests
		// may succeed or fail independently"), and loses the good blob.
		t.Fatalf("BatchUpdateBlobs with one wrong digest failed as a whole: %v", err)
	}
	codesBy := map[digest.Digest]codes.Code{}
	for _, r := range resp.GetResponses() {
		d, err := digest.FromProto(r.GetDigest())
		if err != nil {
			t.Fatalf("response digest: %v", err)
		}
		codesBy[d] = status.FromProto(r.GetStatus()).Code()
	}
	if got := codesBy[gd]; got != codes.OK {
		t.Errorf("good blob: %v, want OK", got)
	}
	for _, tc := range []struct {
		d     digest.Digest
		point string
	}{{wrongHash, pointWrongHash}, {wrongSize, pointWrongSizeBatch}} {
		got, ok := codesBy[tc.d]
		if !ok {
			t.Errorf("no answer for the blob with a wrong digest %s", tc.d)
			continue
		}
		wantAt(t, s, tc.point, "BatchUpdateBlobs blob with a wrong digest", status.Error(got, tc.point), codes.InvalidArgument)
	}
	m := s.missing(t, c, gd, wrongHash, wrongSize)
	if m[gd] {
		t.Errorf("good blob %s not stored", gd)
	}
	if !m[wrongHash] || !m[wrongSize] {
		t.Errorf("a blob whose digest did not match was stored: missing=%v", m)
	}
}

// testBatchReadMissing: an absent blob in BatchReadBlobs gets a per-blob
// NOT_FOUND ("Every error on individual read will be returned in the
// corresponding digest status"), and the present one still comes back.
func testBatchReadMissing(t *testing.T, s *session) {
	c := ctx(t)
	data := randomBytes(t, 33)
	present := s.batchUpdate(t, c, data)[0]
	absent := s.fn.FromBytes(randomBytes(t, 34))
	resp, err := s.cas.BatchReadBlobs(c, &repb.BatchReadBlobsRequest{
		InstanceName: s.instance, DigestFunction: s.fnField(),
		Digests: []*repb.Digest{present.Proto(), absent.Proto()},
	})
	if err != nil {
		t.Fatalf("BatchReadBlobs: %v", err)
	}
	for _, r := range resp.GetResponses() {
		d, _ := digest.FromProto(r.GetDigest())
		code := status.FromProto(r.GetStatus()).Code()
		switch d {
		case present:
			if code != codes.OK || !bytes.Equal(r.GetData(), data) {
				t.Errorf("present blob: %v, %d bytes", code, len(r.GetData()))
			}
		case absent:
			if code != codes.NotFound {
				t.Errorf("absent blob: %v, want NOT_FOUND", code)
			}
		default:
			t.Errorf("answer for a digest not asked for: %v", r.GetDigest())
		}
	}
	if len(resp.GetResponses()) != 2 {
		t.Errorf("%d answers, want 2", len(resp.GetResponses()))
	}
}

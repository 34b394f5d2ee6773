package conformance

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
)

// randomBytes returns n bytes no other run has stored: every check works on
// fresh blobs, so a server's earlier state cannot make it pass.
func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func uuid4() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// fnField is the digest_function value put on requests. SHA-256 is named
// explicitly too: servers predating the field ignore it, and for the others
// it removes any doubt.
func (s *session) fnField() repb.DigestFunction_Value { return s.fn.Proto() }

// batchUpdate uploads blobs in one BatchUpdateBlobs call and fails the test
// on any per-blob error.
func (s *session) batchUpdate(t *testing.T, c context.Context, blobs ...[]byte) []digest.Digest {
	t.Helper()
	req := &repb.BatchUpdateBlobsRequest{InstanceName: s.instance, DigestFunction: s.fnField()}
	var ds []digest.Digest
	for _, b := range blobs {
		d := s.fn.FromBytes(b)
		ds = append(ds, d)
		req.Requests = append(req.Requests, &repb.BatchUpdateBlobsRequest_Request{Digest: d.Proto(), Data: b})
	}
	resp, err := s.cas.BatchUpdateBlobs(c, req)
	if err != nil {
		t.Fatalf("BatchUpdateBlobs: %v", err)
	}
	for _, r := range resp.GetResponses() {
		if st := status.FromProto(r.GetStatus()); st.Code() != codes.OK {
			t.Fatalf("BatchUpdateBlobs %s/%d: %v", r.GetDigest().GetHash(), r.GetDigest().GetSizeBytes(), st.Err())
		}
	}
	return ds
}

// putMessage stores a proto message in the CAS and returns its digest.
func (s *session) putMessage(t *testing.T, c context.Context, m proto.Message) digest.Digest {
	t.Helper()
	d, b, err := s.fn.FromMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	s.batchUpdate(t, c, b)
	return d
}

// missing returns the digests FindMissingBlobs reports as absent.
func (s *session) missing(t *testing.T, c context.Context, ds ...digest.Digest) map[digest.Digest]bool {
	t.Helper()
	req := &repb.FindMissingBlobsRequest{InstanceName: s.instance, DigestFunction: s.fnField()}
	for _, d := range ds {
		req.BlobDigests = append(req.BlobDigests, d.Proto())
	}
	resp, err := s.cas.FindMissingBlobs(c, req)
	if err != nil {
		t.Fatalf("FindMissingBlobs: %v", err)
	}
	out := map[digest.Digest]bool{}
	for _, p := range resp.GetMissingBlobDigests() {
		d, err := digest.FromProto(p)
		if err != nil {
			t.Fatalf("FindMissingBlobs returned a bad digest: %v", err)
		}
		out[d] = true
	}
	return out
}

// bsWrite uploads data under d through ByteStream.Write in chunks and returns
// the committed size. A server may end the stream early when it already has
// the blob (Send then reports io.EOF); the response tells the outcome.
func (s *session) bsWrite(c context.Context, d digest.Digest, data []byte, chunk int) (int64, error) {
	stream, err := s.bs.Write(c)
	if err != nil {
		return 0, err
	}
	name := digest.WriteName(s.instance, uuid4(), s.fn, d, "")
	off := 0
	for {
		end := min(off+chunk, len(data))
		req := &bytestream.WriteRequest{WriteOffset: int64(off), Data: data[off:end], FinishWrite: end == len(data)}
		if off == 0 {
			req.ResourceName = name
		}
		if err := stream.Send(req); err != nil {
			if errors.Is(err, io.EOF) {
				break // the server ended the stream: CloseAndRecv says why
			}
			return 0, err
		}
		off = end
		if off == len(data) {
			break
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return 0, err
	}
	return resp.GetCommittedSize(), nil
}

// bsRead reads a blob (or part of it) through ByteStream.Read.
func (s *session) bsRead(c context.Context, d digest.Digest, offset, limit int64) ([]byte, error) {
	stream, err := s.bs.Read(c, &bytestream.ReadRequest{
		ResourceName: digest.ReadName(s.instance, s.fn, d, ""),
		ReadOffset:   offset,
		ReadLimit:    limit,
	})
	if err != nil {
		return nil, err
	}
	var out []byte
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, resp.GetData()...)
	}
}

// blobContent returns inline bytes, or reads digest p from the CAS: servers
// may move inline stdout/stderr into the CAS ("MAY modify ... and return an
// equivalent value").
func (s *session) blobContent(t *testing.T, c context.Context, raw []byte, p *repb.Digest) []byte {
	t.Helper()
	if len(raw) > 0 || p == nil {
		return raw
	}
	d, err := digest.FromProto(p)
	if err != nil {
		t.Fatalf("bad digest in result: %v", err)
	}
	if d.Size == 0 {
		return nil
	}
	b, err := s.bsRead(c, d, 0, 0)
	if err != nil {
		t.Fatalf("read %s: %v", d, err)
	}
	return b
}

// wantCode fails unless err carries one of the codes.
func wantCode(t *testing.T, what string, err error, want ...codes.Code) {
	t.Helper()
	got := status.Code(err)
	for _, w := range want {
		if got == w {
			return
		}
	}
	t.Errorf("%s: got %v (%v), want one of %v", what, got, err, want)
}

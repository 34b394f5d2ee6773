package conformance

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/rexbuild/rex/digest"
)

// testByteStreamReadOffset: google.bytestream ReadRequest: "A read_offset that
// is negative or greater than the size of the resource will cause an
// OUT_OF_RANGE error"; read_limit bounds the bytes returned, 0 means no limit.
func testByteStreamReadOffset(t *testing.T, s *session) {
	c := ctx(t)
	data := randomBytes(t, 200<<10)
	d := s.batchUpdate(t, c, data)[0]
	for _, tc := range []struct {
		off, limit int64
		want       []byte
	}{
		{0, 0, data},
		{1, 0, data[1:]},
		{100 << 10, 0, data[100<<10:]},
		{1000, 10, data[1000:1010]},
		{0, d.Size + 10, data}, // a limit beyond the end is no limit
		{d.Size - 1, 0, data[d.Size-1:]},
		{d.Size, 0, nil}, // offset == size: nothing left, not an error
	} {
		got, err := s.bsRead(c, d, tc.off, tc.limit)
		if tc.limit > 0 {
			point := pointReadLimit
			if tc.limit >= d.Size-tc.off {
				point = pointReadLimitBeyondEnd
			}
			if !wantAt(t, s, point, "Read with a read_limit", err, codes.OK) {
				continue
			}
		}
		if err != nil {
			t.Errorf("Read offset %d limit %d: %v", tc.off, tc.limit, err)
			continue
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("Read offset %d limit %d: got %d bytes, want %d", tc.off, tc.limit, len(got), len(tc.want))
		}
	}
	_, err := s.bsRead(c, d, d.Size+1, 0)
	wantAt(t, s, pointReadOffsetRange, "Read offset size+1", err, codes.OutOfRange)
	_, err = s.bsRead(c, d, -1, 0)
	wantAt(t, s, pointReadOffsetRange, "Read offset -1", err, codes.OutOfRange)
	_, err = s.bsRead(c, s.fn.FromBytes(randomBytes(t, 10)), 0, 0)
	wantCode(t, "Read of an absent blob", err, codes.NotFound)
}

// testByteStreamWriteExisting: "if another client has already completed the
// upload ... the request will terminate immediately without error, and with
// a response whose committed_size is ... the full size of the uploaded file".
// Writing a blob twice must succeed with committed_size == size either way.
func testByteStreamWriteExisting(t *testing.T, s *session) {
	c := ctx(t)
	data := randomBytes(t, 300<<10)
	d := s.fn.FromBytes(data)
	for i := range 2 {
		n, err := s.bsWrite(c, d, data, 16<<10)
		if err != nil {
			t.Fatalf("Write #%d: %v", i+1, err)
		}
		if n != d.Size {
			t.Errorf("Write #%d: committed_size %d, want %d", i+1, n, d.Size)
		}
	}
}

// testByteStreamWrongDigest: "If the client completes the upload but the
// Digest does not match, an INVALID_ARGUMENT error will be returned."
func testByteStreamWrongDigest(t *testing.T, s *session) {
	c := ctx(t)
	data := randomBytes(t, 100<<10)
	wrong := digest.Digest{Hash: s.fn.FromBytes(randomBytes(t, 10)).Hash, Size: int64(len(data))}
	_, err := s.bsWrite(c, wrong, data, 32<<10)
	wantAt(t, s, pointWrongHash, "Write with a wrong hash", err, codes.InvalidArgument)
	if m := s.missing(t, c, wrong); !m[wrong] {
		t.Errorf("a blob whose hash did not match was stored under %s", wrong)
	}
	short := digest.Digest{Hash: s.fn.FromBytes(data).Hash, Size: int64(len(data)) + 5}
	_, err = s.bsWrite(c, short, data, 32<<10)
	wantAt(t, s, pointShortWrite, "Write shorter than the digest size", err, codes.InvalidArgument)
}

package client

import (
	"errors"
	"io"

	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// The fake's ByteStream service.

func (f *fakeServer) Read(req *bytestream.ReadRequest, s bytestream.ByteStream_ReadServer) error {
	r, err := digest.ParseReadName(req.GetResourceName())
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	f.mu.Lock()
	f.reads = append(f.reads, r.Digest)
	f.mu.Unlock()
	b, ok := f.get(r.Digest)
	if !ok {
		return status.Error(codes.NotFound, "no such blob")
	}
	for len(b) > 0 {
		n := min(len(b), 64<<10)
		if err := s.Send(&bytestream.ReadResponse{Data: b[:n]}); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

func (f *fakeServer) Write(s bytestream.ByteStream_WriteServer) error {
	var name string
	var data []byte
	for {
		req, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return status.Error(codes.InvalidArgument, "no finish_write")
		}
		if err != nil {
			return err
		}
		if name == "" {
			name = req.GetResourceName()
		}
		if req.GetWriteOffset() != int64(len(data)) {
			return status.Error(codes.InvalidArgument, "bad offset")
		}
		data = append(data, req.GetData()...)
		if req.GetFinishWrite() {
			break
		}
	}
	r, err := digest.ParseWriteName(name)
	if err != nil || digest.SHA256.FromBytes(data) != r.Digest {
		return status.Errorf(codes.InvalidArgument, "bad write %q", name)
	}
	f.mu.Lock()
	f.blobs[r.Digest] = data
	f.writes = append(f.writes, r.Digest)
	f.mu.Unlock()
	return s.SendAndClose(&bytestream.WriteResponse{CommittedSize: int64(len(data))})
}

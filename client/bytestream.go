package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// chunkSize is the data carried by one ByteStream WriteRequest.
const chunkSize = 1 << 20

// writeStream uploads one blob over ByteStream Write, from the start on
// every attempt.
func (c *Client) writeStream(ctx context.Context, fn digest.Function, b Blob) error {
	err := c.retry(ctx, c.casConn, c.cfg.RPCTimeout, func(ctx context.Context) error {
		r, err := openBlob(b)
		if err != nil {
			return err
		}
		defer r.Close()
		return c.writeOnce(ctx, fn, b.Digest, r)
	})
	if err != nil {
		return fmt.Errorf("bytestream write %s: %w", b.Digest, err)
	}
	return nil
}

func openBlob(b Blob) (io.ReadCloser, error) {
	if b.Path == "" {
		return io.NopCloser(bytes.NewReader(b.Data)), nil
	}
	f, err := os.Open(b.Path)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", b.Digest, err)
	}
	return f, nil
}

// writeOnce streams exactly d.Size bytes of r. The content is hashed on the
// way and checked before the final chunk, so a file that changed since it
// was digested is never committed.
func (c *Client) writeOnce(ctx context.Context, fn digest.Function, d digest.Digest, r io.Reader) error {
	stream, err := c.bs.Write(ctx)
	if err != nil {
		return err
	}
	name := digest.WriteName(c.cfg.Instance, newUUID(), fn, d, "")
	v := fn.NewVerifier(d)
	buf := make([]byte, min(chunkSize, d.Size))
	var off int64
	for off < d.Size {
		n := min(int64(len(buf)), d.Size-off)
		if _, err := io.ReadFull(r, buf[:n]); err != nil {
			stream.CloseSend()
			return status.Errorf(codes.FailedPrecondition, "reading content: %v", err)
		}
		v.Write(buf[:n])
		last := off+n == d.Size
		if last {
			if err := v.Check(); err != nil {
				stream.CloseSend()
				return status.Errorf(codes.FailedPrecondition, "content changed since it was digested: %v", err)
			}
		}
		req := &bytestream.WriteRequest{WriteOffset: off, Data: buf[:n], FinishWrite: last}
		if off == 0 {
			req.ResourceName = name
		}
		if err := stream.Send(req); err != nil {
			if errors.Is(err, io.EOF) { // the server ended early: it has the blob
				break
			}
			return err
		}
		off += n
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return err
	}
	if got := resp.GetCommittedSize(); got != d.Size {
		return status.Errorf(codes.DataLoss, "server committed %d bytes, want %d", got, d.Size)
	}
	return nil
}

// readStream reads one blob over ByteStream Read into a fresh writer per
// attempt (reset discards a failed attempt's partial data) and verifies it.
func (c *Client) readStream(ctx context.Context, fn digest.Function, d digest.Digest, reset func() (io.Writer, error)) error {
	name := digest.ReadName(c.cfg.Instance, fn, d, "")
	err := c.retry(ctx, c.casConn, c.cfg.RPCTimeout, func(ctx context.Context) error {
		w, err := reset()
		if err != nil {
			return err
		}
		stream, err := c.bs.Read(ctx, &bytestream.ReadRequest{ResourceName: name})
		if err != nil {
			return err
		}
		v := fn.NewVerifier(d)
		mw := io.MultiWriter(w, v)
		var n int64
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if n += int64(len(resp.GetData())); n > d.Size {
				return status.Errorf(codes.DataLoss, "server sent more than %d bytes", d.Size)
			}
			if _, err := mw.Write(resp.GetData()); err != nil {
				return err
			}
		}
		if err := v.Check(); err != nil {
			return status.Errorf(codes.DataLoss, "corrupt blob: %v", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bytestream read %s: %w", d, err)
	}
	return nil
}

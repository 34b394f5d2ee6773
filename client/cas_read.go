package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
)

// ReadBlob fetches one blob and verifies it against d. A blob whose content
// does not match is an error with code DataLoss.
func (c *Client) ReadBlob(ctx context.Context, d digest.Digest) ([]byte, error) {
	m, err := c.ReadBlobs(ctx, []digest.Digest{d})
	if err != nil {
		return nil, err
	}
	return m[d], nil
}

// ReadBlobs fetches blobs, small ones in batches and big ones over
// ByteStream, verifying each. A missing blob is an error with code NotFound.
func (c *Client) ReadBlobs(ctx context.Context, ds []digest.Digest) (map[digest.Digest][]byte, error) {
	m, err := c.readBlobs(ctx, ds)
	if c.learnBatchLimit(ctx, err) {
		m, err = c.readBlobs(ctx, ds)
	}
	return m, err
}

func (c *Client) readBlobs(ctx context.Context, ds []digest.Digest) (map[digest.Digest][]byte, error) {
	fn, err := c.Function(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[digest.Digest][]byte, len(ds))
	var small []Blob
	var large []digest.Digest
	for _, d := range ds {
		if _, dup := out[d]; dup {
			continue
		}
		out[d] = nil
		switch {
		case d.Size == 0:
			out[d] = []byte{}
		case c.fitsBatch(d.Size):
			small = append(small, Blob{Digest: d})
		default:
			large = append(large, d)
		}
	}
	batches := c.groupBatches(small)
	results := make([]map[digest.Digest][]byte, len(batches)+len(large))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.Concurrency)
	for i, batch := range batches {
		g.Go(func() (err error) {
			results[i], err = c.readBatch(gctx, fn, batch)
			return err
		})
	}
	for i, d := range large {
		g.Go(func() error {
			var buf bytes.Buffer
			err := c.readStream(gctx, fn, d, func() (io.Writer, error) { buf.Reset(); return &buf, nil })
			results[len(batches)+i] = map[digest.Digest][]byte{d: buf.Bytes()}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, m := range results {
		for d, b := range m {
			out[d] = b
		}
	}
	return out, nil
}

// readBatch fetches one BatchReadBlobs group, verifying every blob and
// retrying only the blobs whose per-blob status is transient.
func (c *Client) readBatch(ctx context.Context, fn digest.Function, blobs []Blob) (map[digest.Digest][]byte, error) {
	pending := make(map[digest.Digest]bool, len(blobs))
	for _, b := range blobs {
		pending[b.Digest] = true
	}
	got := make(map[digest.Digest][]byte, len(blobs))
	err := c.retry(ctx, c.casConn, c.cfg.RPCTimeout, func(ctx context.Context) error {
		req := &repb.BatchReadBlobsRequest{InstanceName: c.cfg.Instance, DigestFunction: fn.Proto()}
		for d := range pending {
			req.Digests = append(req.Digests, d.Proto())
		}
		resp, err := c.cas.BatchReadBlobs(ctx, req)
		if err != nil {
			return c.checkBatchRefused(err)
		}
		return settleBatch(pending, resp.GetResponses(), func(r *repb.BatchReadBlobsResponse_Response) (*repb.Digest, error) {
			if err := status.ErrorProto(r.GetStatus()); err != nil {
				return r.GetDigest(), err
			}
			d, err := digest.FromProto(r.GetDigest())
			if err != nil {
				return r.GetDigest(), nil // ignored by settleBatch
			}
			if r.GetCompressor() != repb.Compressor_IDENTITY {
				return r.GetDigest(), status.Errorf(codes.DataLoss, "unrequested compressor %v", r.GetCompressor())
			}
			if got := fn.FromBytes(r.GetData()); got != d {
				return r.GetDigest(), status.Errorf(codes.DataLoss, "corrupt blob: content is %s", got)
			}
			got[d] = r.GetData()
			return r.GetDigest(), nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("batch read blobs: %w", err)
	}
	return got, nil
}

// DownloadFile fetches a verified blob into path atomically: the content
// goes to a temporary file in the same directory, renamed into place only
// once complete and verified. The mode is 0755 if executable, else 0644.
func (c *Client) DownloadFile(ctx context.Context, d digest.Digest, path string, executable bool) error {
	tmp, err := c.fetchToTemp(ctx, d, path, executable)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("download %s: %w", d, err)
	}
	return nil
}

// fetchToTemp writes the verified blob d into a new temporary file next to
// path and returns its name. On error no temporary file remains.
func (c *Client) fetchToTemp(ctx context.Context, d digest.Digest, path string, executable bool) (tmp string, err error) {
	fn, err := c.Function(ctx)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rex-*")
	if err != nil {
		return "", fmt.Errorf("download %s: %w", d, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("download %s: %w", d, cerr)
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(atomicfile.OutputMode(executable)); err != nil {
		return "", fmt.Errorf("download %s: %w", d, err)
	}
	if c.fitsBatch(d.Size) {
		data, err := c.ReadBlob(ctx, d)
		if err != nil {
			return "", err
		}
		if _, err := f.Write(data); err != nil {
			return "", fmt.Errorf("download %s: %w", d, err)
		}
		return f.Name(), nil
	}
	err = c.readStream(ctx, fn, d, func() (io.Writer, error) {
		if err := f.Truncate(0); err != nil {
			return nil, err
		}
		_, err := f.Seek(0, io.SeekStart)
		return f, err
	})
	if err != nil {
		return "", err
	}
	return f.Name(), nil
}

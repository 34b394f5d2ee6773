package client

import (
	"context"
	"fmt"
	"os"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// Blob is content to upload: in memory (Data) or a file on disk (Path).
// Digest must be the digest of that content under the client's function.
type Blob struct {
	Digest digest.Digest
	Data   []byte
	Path   string
}

// findMissingBatch bounds the digests of one FindMissingBlobs request.
const findMissingBatch = 10000

// FindMissing returns the digests the CAS does not hold, in batches.
func (c *Client) FindMissing(ctx context.Context, ds []digest.Digest) ([]digest.Digest, error) {
	fn, err := c.Function(ctx)
	if err != nil {
		return nil, err
	}
	var missing []digest.Digest
	for start := 0; start < len(ds); start += findMissingBatch {
		chunk := ds[min(start, len(ds)):min(start+findMissingBatch, len(ds))]
		req := &repb.FindMissingBlobsRequest{InstanceName: c.cfg.Instance, DigestFunction: fn.Proto()}
		for _, d := range chunk {
			req.BlobDigests = append(req.BlobDigests, d.Proto())
		}
		var resp *repb.FindMissingBlobsResponse
		err := c.retry(ctx, c.casConn, c.cfg.RPCTimeout, func(ctx context.Context) error {
			var err error
			resp, err = c.cas.FindMissingBlobs(ctx, req)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("find missing blobs: %w", err)
		}
		for _, p := range resp.GetMissingBlobDigests() {
			d, err := digest.FromProto(p)
			if err != nil {
				return nil, status.Errorf(codes.Internal, "find missing blobs: server returned %v", err)
			}
			missing = append(missing, d)
		}
	}
	return missing, nil
}

// Upload stores blobs the CAS does not already hold: it drops duplicates
// and the empty blob (always present), asks FindMissing, sends small blobs
// in batches under the server's limit and big ones over ByteStream, with
// bounded parallelism.
func (c *Client) Upload(ctx context.Context, blobs []Blob) error {
	err := c.upload(ctx, blobs)
	if c.learnBatchLimit(ctx, err) {
		err = c.upload(ctx, blobs) // FindMissing skips what the first pass stored
	}
	return err
}

// UploadMissing uploads the blobs that an earlier FindMissing of theirs
// named (missing), without asking again: a caller that asked while it
// waited for something else saves a round trip.
func (c *Client) UploadMissing(ctx context.Context, blobs []Blob, missing []digest.Digest) error {
	byDigest, _ := uniqueBlobs(blobs)
	err := c.sendMissing(ctx, byDigest, missing)
	if c.learnBatchLimit(ctx, err) {
		err = c.upload(ctx, blobs)
	}
	return err
}

// Digests lists the distinct non-empty digests of blobs: what FindMissing
// is asked about before an upload.
func Digests(blobs []Blob) []digest.Digest {
	_, ds := uniqueBlobs(blobs)
	return ds
}

func uniqueBlobs(blobs []Blob) (map[digest.Digest]Blob, []digest.Digest) {
	byDigest := make(map[digest.Digest]Blob, len(blobs))
	var ds []digest.Digest
	for _, b := range blobs {
		if _, dup := byDigest[b.Digest]; dup || b.Digest.Size == 0 {
			continue
		}
		byDigest[b.Digest] = b
		ds = append(ds, b.Digest)
	}
	return byDigest, ds
}

func (c *Client) upload(ctx context.Context, blobs []Blob) error {
	byDigest, ds := uniqueBlobs(blobs)
	if len(ds) == 0 {
		return nil
	}
	missing, err := c.FindMissing(ctx, ds)
	if err != nil {
		return err
	}
	return c.sendMissing(ctx, byDigest, missing)
}

func (c *Client) sendMissing(ctx context.Context, byDigest map[digest.Digest]Blob, missing []digest.Digest) error {
	fn, err := c.Function(ctx)
	if err != nil {
		return err
	}
	todo := make([]Blob, 0, len(missing))
	for _, d := range missing {
		b, ok := byDigest[d]
		if !ok {
			return status.Errorf(codes.Internal, "find missing blobs: server named %s, which was not asked", d)
		}
		todo = append(todo, b)
	}
	return c.send(ctx, fn, todo)
}

// send uploads blobs known to be missing: big ones one by one over
// ByteStream, small ones grouped in batches, in parallel up to the limit.
func (c *Client) send(ctx context.Context, fn digest.Function, blobs []Blob) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.Concurrency)
	var small []Blob
	for _, b := range blobs {
		if c.fitsBatch(b.Digest.Size) {
			small = append(small, b)
			continue
		}
		g.Go(func() error { return c.writeStream(gctx, fn, b) })
	}
	for _, batch := range c.groupBatches(small) {
		g.Go(func() error { return c.uploadBatch(gctx, fn, batch) })
	}
	return g.Wait()
}

// groupBatches splits blobs into groups whose data plus overhead fits one
// batch request.
func (c *Client) groupBatches(blobs []Blob) [][]Blob {
	limit := c.batchLimit()
	var out [][]Blob
	var cur []Blob
	var size int64
	for _, b := range blobs {
		n := b.Digest.Size + perBlobOverhead
		if len(cur) > 0 && size+n > limit {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, b)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// blobData returns a small blob's bytes, reading and re-checking a file so
// that a file changed since it was digested is never sent under the old digest.
func blobData(fn digest.Function, b Blob) ([]byte, error) {
	if b.Path == "" {
		return b.Data, nil
	}
	data, err := os.ReadFile(b.Path)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", b.Digest, err)
	}
	if got := fn.FromBytes(data); got != b.Digest {
		return nil, status.Errorf(codes.FailedPrecondition, "upload %s: %s changed since it was digested (now %s)", b.Digest, b.Path, got)
	}
	return data, nil
}

// uploadBatch sends one BatchUpdateBlobs group, retrying only the blobs
// whose per-blob status is transient.
func (c *Client) uploadBatch(ctx context.Context, fn digest.Function, blobs []Blob) error {
	pending := make(map[digest.Digest]*repb.BatchUpdateBlobsRequest_Request, len(blobs))
	for _, b := range blobs {
		data, err := blobData(fn, b)
		if err != nil {
			return err
		}
		pending[b.Digest] = &repb.BatchUpdateBlobsRequest_Request{Digest: b.Digest.Proto(), Data: data}
	}
	err := c.retry(ctx, c.casConn, c.cfg.RPCTimeout, func(ctx context.Context) error {
		req := &repb.BatchUpdateBlobsRequest{InstanceName: c.cfg.Instance, DigestFunction: fn.Proto()}
		for _, r := range pending {
			req.Requests = append(req.Requests, r)
		}
		resp, err := c.cas.BatchUpdateBlobs(ctx, req)
		if err != nil {
			return c.checkBatchRefused(err)
		}
		return settleBatch(pending, resp.GetResponses(), func(r *repb.BatchUpdateBlobsResponse_Response) (*repb.Digest, error) {
			return r.GetDigest(), status.ErrorProto(r.GetStatus())
		})
	})
	if err != nil {
		return fmt.Errorf("batch update blobs: %w", err)
	}
	return nil
}

// settleBatch removes from pending every blob the response reports done. It
// returns the first permanent per-blob error, else a transient one if any
// blob must be retried, else nil. A blob the response does not mention
// stays pending, reported as Unavailable so that it is asked for again.
func settleBatch[V any, R any](pending map[digest.Digest]V, resps []R, get func(R) (*repb.Digest, error)) error {
	var transient error
	for _, r := range resps {
		p, st := get(r)
		d, err := digest.FromProto(p)
		if _, ok := pending[d]; err != nil || !ok {
			continue
		}
		switch {
		case st == nil:
			delete(pending, d)
		case IsTransient(st):
			transient = fmt.Errorf("blob %s: %w", d, st)
		default:
			return fmt.Errorf("blob %s: %w", d, st)
		}
	}
	if transient == nil && len(pending) > 0 {
		transient = status.Errorf(codes.Unavailable, "%d blobs missing from the batch response", len(pending))
	}
	return transient
}

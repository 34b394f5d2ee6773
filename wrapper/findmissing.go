package wrapper

import (
	"context"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// missingQuery is a FindMissingBlobs asked while the action cache is
// consulted: on a miss the upload starts from its answer, a round trip
// earlier; on a hit nobody waits for it.
type missingQuery struct {
	blobs   []client.Blob
	done    chan struct{}
	missing []digest.Digest
	err     error
	// sent, when not nil, gives the outcome of blobs sent unasked (see
	// sendEarly): FindMissing asked only about the others.
	sent chan error
}

// askMissing starts asking which of the first upload's blobs the server
// lacks.
func askMissing(ctx context.Context, c *client.Client, plan *actionPlan) *missingQuery {
	return startMissing(ctx, c, plan.uploads(0))
}

func startMissing(ctx context.Context, c *client.Client, blobs []client.Blob) *missingQuery {
	q := &missingQuery{blobs: blobs, done: make(chan struct{})}
	go func() {
		defer close(q.done)
		q.missing, q.err = c.FindMissing(ctx, client.Digests(q.blobs))
	}()
	return q
}

// upload sends the blobs of an upload attempt, from the query's answer
// when it is the first attempt and the query got one.
func (q *missingQuery) upload(ctx context.Context, c *client.Client, blobs []client.Blob, attempt int) error {
	if q != nil && attempt == 0 {
		<-q.done
		var sentErr error
		if q.sent != nil {
			sentErr = <-q.sent
		}
		if q.err == nil && sentErr == nil {
			return c.UploadMissing(ctx, blobs, q.missing)
		}
	}
	return c.Upload(ctx, blobs)
}

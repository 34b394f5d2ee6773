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
}

// askMissing starts asking which of the first upload's blobs the server
// lacks.
func askMissing(ctx context.Context, c *client.Client, plan *actionPlan) *missingQuery {
	q := &missingQuery{blobs: plan.uploads(0), done: make(chan struct{})}
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
		if q.err == nil {
			return c.UploadMissing(ctx, blobs, q.missing)
		}
	}
	return c.Upload(ctx, blobs)
}

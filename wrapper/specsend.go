package wrapper

import (
	"context"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// sendEarly is askMissing for an action most likely new to the server: a
// speculation's, whose source was compiled before under another action.
// Its Action and Command (plan.messages) are sent at once, unasked, while
// FindMissing asks about the other blobs, and the action cache is
// consulted meanwhile: on a miss, Execute follows the lookup with no round
// trip of the upload's own in between (unless an input is missing too). On
// a hit the two messages, a few hundred bytes, were sent for nothing.
func sendEarly(ctx context.Context, c *client.Client, plan *actionPlan) *missingQuery {
	first := plan.uploads(0)
	early := map[digest.Digest]bool{}
	for _, b := range plan.messages {
		early[b.Digest] = true
	}
	var sent, rest []client.Blob
	for _, b := range first {
		if early[b.Digest] {
			sent = append(sent, b)
		} else {
			rest = append(rest, b)
		}
	}
	q := startMissing(ctx, c, rest)
	q.sent = make(chan error, 1)
	go func() { q.sent <- c.UploadMissing(ctx, sent, client.Digests(sent)) }()
	return q
}

// scanHold bounds how long the scan waits for a speculation's lookup. On
// a machine with few CPUs, the scan's compiler starting beside the
// speculation's planning and round trips slows them, and with them the
// start of the remote compile; a confirmed speculation does not wait for
// the scan, which has the whole remote compile to finish in. A wrong guess
// costs at most this much more.
var scanHold = 10 * time.Millisecond

// holdScan waits until the speculation's lookup has answered, or it
// ended, or scanHold passed.
func (sp *speculation) holdScan() {
	if sp == nil {
		return
	}
	t := time.NewTimer(scanHold)
	defer t.Stop()
	select {
	case <-sp.asked:
	case <-t.C:
	}
}

package client

import (
	"context"
	"sync/atomic"

	"google.golang.org/grpc/stats"
)

// Traffic counts the bytes a client's connections carry, as they cross the
// wire (after compression, headers and framing aside), so that `rex stats`
// can say what a build cost the network. Safe for concurrent use.
type Traffic struct {
	sent, received atomic.Int64
}

// Sent is the number of payload bytes sent so far.
func (t *Traffic) Sent() int64 { return t.sent.Load() }

// Received is the number of payload bytes received so far.
func (t *Traffic) Received() int64 { return t.received.Load() }

// trafficHandler is the gRPC stats handler that feeds a Traffic.
type trafficHandler struct{ t *Traffic }

func (h trafficHandler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (h trafficHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (h trafficHandler) HandleConn(context.Context, stats.ConnStats) {}

func (h trafficHandler) HandleRPC(_ context.Context, s stats.RPCStats) {
	switch p := s.(type) {
	case *stats.OutPayload:
		h.t.sent.Add(int64(p.WireLength))
	case *stats.InPayload:
		h.t.received.Add(int64(p.WireLength))
	}
}

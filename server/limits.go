package server

import (
	"context"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"
)

// Limits bound what unauthenticated clients can make the server allocate or
// hold open. Zero fields take the defaults below.
type Limits struct {
	// MaxFindMissing bounds the digests of one FindMissingBlobs (65536).
	MaxFindMissing int
	// BatchInflightBytes bounds the blob bytes that batch reads and writes
	// hold at once, server-wide (16 full batches); further batches wait.
	BatchInflightBytes int64
	// MaxBatchCalls bounds the batch reads and writes in flight,
	// server-wide (256); beyond it they are RESOURCE_EXHAUSTED before their
	// requests are read. It is a safety net for the memory of requests
	// received but waiting for BatchInflightBytes: gRPC reads a unary
	// request before any handler sees its size, so a count is all that
	// can be capped there, and most batches are small (clients send many
	// at once, and rex takes a refused batch for one too large).
	MaxBatchCalls int
	// UploadIdle is how long a partial ByteStream upload may sit without
	// data before its stream is ended and its temp file deleted (5 min).
	UploadIdle time.Duration
	// MaxUploads bounds the partial uploads kept at once (1024); beyond
	// it a new upload is RESOURCE_EXHAUSTED.
	MaxUploads int
	// UploadSpace, when set, accounts partial uploads' bytes against the
	// store's size bound (cas.Disk does); nil leaves them unaccounted.
	UploadSpace UploadSpace
	// StreamsPerClient bounds the concurrent calls of one client (see
	// clientKey) (1024: every local client shares the loopback address);
	// beyond it calls are RESOURCE_EXHAUSTED.
	StreamsPerClient int
	// MaxConcurrentStreams bounds the concurrent streams of one HTTP/2
	// connection (128). A finished call's answer counts until it is written
	// to the connection, so this also bounds the answers a client that does
	// not read can leave queued: 128 full batches per connection.
	MaxConcurrentStreams uint32
}

// UploadSpace lends room in a bounded store to data it does not hold yet.
type UploadSpace interface {
	Reserve(n int64) error
	Release(n int64)
}

func (l Limits) withDefaults(maxBatch int64) Limits {
	if l.MaxFindMissing <= 0 {
		l.MaxFindMissing = 1 << 16
	}
	if l.BatchInflightBytes <= 0 {
		l.BatchInflightBytes = 16 * maxBatch
	}
	if l.MaxBatchCalls <= 0 {
		l.MaxBatchCalls = 256
	}
	if l.UploadIdle <= 0 {
		l.UploadIdle = 5 * time.Minute
	}
	if l.MaxUploads <= 0 {
		l.MaxUploads = 1024
	}
	if l.StreamsPerClient <= 0 {
		l.StreamsPerClient = 1024
	}
	if l.MaxConcurrentStreams == 0 {
		l.MaxConcurrentStreams = 128
	}
	return l
}

// GRPCServerOptions returns the options the grpc.Server needs for these
// services: a receive limit that fits a full batch (what Capabilities
// advertises) plus protobuf overhead, as gRPC's default of 4 MiB would
// refuse a full 4 MiB batch; a bound on streams per connection; and the
// caps on calls in flight (see callLimiter).
func GRPCServerOptions(opts Options) []grpc.ServerOption {
	opts = opts.withDefaults()
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(int(opts.MaxBatchBytes) + batchOverhead),
		grpc.MaxConcurrentStreams(opts.Limits.MaxConcurrentStreams),
		grpc.InTapHandle(newCallLimiter(opts.Limits).tap),
	}
}

// batchOverhead is the room a request's framing may take beyond its blob
// bytes: digests, statuses and field tags.
const batchOverhead = 1 << 20

// clientKey names the client a call counts against: its peer's address
// without the port, so that one host cannot escape the cap by opening more
// connections. Unix-socket peers share one key. A credential (a bearer
// token) names a client better than an address; it belongs here, first.
func clientKey(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return "unknown"
	}
	if p.Addr.Network() == "unix" {
		return "unix"
	}
	host, _, err := net.SplitHostPort(p.Addr.String())
	if err != nil {
		return p.Addr.String()
	}
	return "addr:" + host
}

// callLimiter counts calls in flight per client, and batch calls
// server-wide. It runs as gRPC's InTapHandle, before a call's request is
// read, so that a refused call costs no memory: an interceptor would run
// only after a unary request of up to the receive limit was in memory.
// A slot is returned when the call's context ends, which gRPC guarantees
// for every stream it admitted.
type callLimiter struct {
	perClient, batches int
	mu                 sync.Mutex
	n                  map[string]int
	batching           int
}

func newCallLimiter(l Limits) *callLimiter {
	return &callLimiter{perClient: l.StreamsPerClient, batches: l.MaxBatchCalls, n: map[string]int{}}
}

// batchMethods are the calls whose requests or answers may be a full batch.
var batchMethods = map[string]bool{
	"/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchUpdateBlobs": true,
	"/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchReadBlobs":   true,
}

func (c *callLimiter) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	k, batch := clientKey(ctx), batchMethods[info.FullMethodName]
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[k] >= c.perClient {
		return ctx, status.Errorf(codes.ResourceExhausted, "client %s has %d calls in flight, the most allowed", k, c.perClient)
	}
	if batch && c.batching >= c.batches {
		return ctx, status.Errorf(codes.ResourceExhausted, "%d batch calls in flight, the most allowed: retry later", c.batches)
	}
	c.n[k]++
	if batch {
		c.batching++
	}
	context.AfterFunc(ctx, func() { c.leave(k, batch) })
	return ctx, nil
}

func (c *callLimiter) leave(k string, batch bool) {
	c.mu.Lock()
	if c.n[k]--; c.n[k] <= 0 {
		delete(c.n, k)
	}
	if batch {
		c.batching--
	}
	c.mu.Unlock()
}

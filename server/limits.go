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
)

// Limits bound what unauthenticated clients can make the server allocate or
// hold open. Zero fields take the defaults below.
type Limits struct {
	// MaxFindMissing bounds the digests of one FindMissingBlobs (65536).
	MaxFindMissing int
	// BatchInflightBytes bounds the blob bytes that batch reads and writes
	// hold at once, server-wide (16 full batches); further batches wait.
	BatchInflightBytes int64
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
	// clientKey) (256); beyond it calls are RESOURCE_EXHAUSTED.
	StreamsPerClient int
	// MaxConcurrentStreams bounds the concurrent streams of one HTTP/2
	// connection (1024), so one connection cannot open millions.
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
	if l.UploadIdle <= 0 {
		l.UploadIdle = 5 * time.Minute
	}
	if l.MaxUploads <= 0 {
		l.MaxUploads = 1024
	}
	if l.StreamsPerClient <= 0 {
		l.StreamsPerClient = 256
	}
	if l.MaxConcurrentStreams == 0 {
		l.MaxConcurrentStreams = 1024
	}
	return l
}

// GRPCServerOptions returns the options the grpc.Server needs for these
// services: a receive limit that fits a full batch (what Capabilities
// advertises) plus protobuf overhead, a bound on streams per connection,
// and the per-client cap on concurrent calls. gRPC's default receive limit
// of 4 MiB would refuse a full 4 MiB batch.
func GRPCServerOptions(opts Options) []grpc.ServerOption {
	opts = opts.withDefaults()
	c := newClientLimiter(opts.Limits.StreamsPerClient)
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(int(opts.MaxBatchBytes) + batchOverhead),
		grpc.MaxConcurrentStreams(opts.Limits.MaxConcurrentStreams),
		grpc.ChainUnaryInterceptor(c.unary),
		grpc.ChainStreamInterceptor(c.stream),
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

// clientLimiter counts each client's calls in flight.
type clientLimiter struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newClientLimiter(max int) *clientLimiter {
	return &clientLimiter{max: max, n: map[string]int{}}
}

// enter counts a call of ctx's client, or refuses it beyond the cap.
func (c *clientLimiter) enter(ctx context.Context) (string, error) {
	k := clientKey(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[k] >= c.max {
		return "", status.Errorf(codes.ResourceExhausted, "client %s has %d calls in flight, the most allowed", k, c.max)
	}
	c.n[k]++
	return k, nil
}

func (c *clientLimiter) leave(k string) {
	c.mu.Lock()
	if c.n[k]--; c.n[k] <= 0 {
		delete(c.n, k)
	}
	c.mu.Unlock()
}

func (c *clientLimiter) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	k, err := c.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer c.leave(k)
	return h(ctx, req)
}

func (c *clientLimiter) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	k, err := c.enter(ss.Context())
	if err != nil {
		return err
	}
	defer c.leave(k)
	return h(srv, ss)
}

// Package client is rex's REAPI v2 client layer: it dials a remote-execution
// server, uploads and downloads CAS blobs (batched, verified, atomic on disk),
// builds canonical Merkle trees of inputs, talks to the action cache and the
// Execution service, and applies one retry policy to every RPC.
package client

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"

	"github.com/rexbuild/rex/digest"
)

// Config says where the server is and how to talk to it. The zero value of
// every field but Server is a sensible default.
type Config struct {
	// Server is grpc://host:port, grpcs://host:port, unix:///abs/path or host:port.
	Server string
	// CASServer optionally names a separate endpoint for CAS and ByteStream.
	CASServer string
	// Instance is sent as instance_name on every request.
	Instance string
	// DigestFunction zero means SHA-256 without asking the server. BLAKE3 is
	// used only if the server's Capabilities list it, else SHA-256.
	DigestFunction digest.Function
	// RPCTimeout bounds each attempt of each RPC (default 60 s).
	RPCTimeout time.Duration
	// ExecuteTimeout bounds each attempt of an Execute or WaitExecution
	// stream (default 15 min).
	ExecuteTimeout time.Duration
	// MaxAttempts bounds the attempts of one RPC, first included (default 4).
	MaxAttempts int
	// MaxBatchBytes caps batch requests until Capabilities says otherwise
	// (default 4 MiB).
	MaxBatchBytes int64
	// Concurrency bounds parallel uploads and downloads (default 8).
	Concurrency int

	// TLS options for grpcs:// (system roots when TLSCAFile is empty).
	TLSCAFile, TLSCertFile, TLSKeyFile, TLSServerName string
	// Headers are added to every request.
	Headers map[string]string
	// Token, when set, is sent as "authorization: Bearer <token>" on every
	// request.
	Token string

	// ToolVersion and InvocationID fill the RequestMetadata header. An empty
	// InvocationID gets a random one.
	ToolVersion, InvocationID string

	// Traffic, when set, counts the bytes sent and received.
	Traffic *Traffic

	// Dialer replaces the network dialer: tests, and rex-server's embedded
	// workers, use in-memory connections.
	Dialer func(ctx context.Context, addr string) (net.Conn, error)

	// Relay, when set, keeps connections to a distant server open between
	// processes (see RelayConfig and package relay).
	Relay *RelayConfig

	// CapabilitiesFile, when set, keeps the server's Capabilities between
	// processes: a process that needs them reads the file while it is
	// younger than CapabilitiesMaxAge instead of asking (one round trip
	// less for a short-lived client such as rex).
	CapabilitiesFile   string
	CapabilitiesMaxAge time.Duration
}

const (
	defaultRPCTimeout     = 60 * time.Second
	defaultExecuteTimeout = 15 * time.Minute
	defaultMaxAttempts    = 4
	defaultBatchBytes     = 4 << 20
	defaultConcurrency    = 8
	maxRecvMsgSize        = 64 << 20
)

func (cfg *Config) setDefaults() {
	if cfg.RPCTimeout <= 0 {
		cfg.RPCTimeout = defaultRPCTimeout
	}
	if cfg.ExecuteTimeout <= 0 {
		cfg.ExecuteTimeout = defaultExecuteTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = defaultMaxAttempts
	}
	if cfg.MaxBatchBytes <= 0 || cfg.MaxBatchBytes > defaultBatchBytes {
		cfg.MaxBatchBytes = defaultBatchBytes
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = defaultConcurrency
	}
	if cfg.InvocationID == "" {
		cfg.InvocationID = newUUID()
	}
}

// Client talks to one REAPI server (and optionally a separate CAS). It is
// safe for concurrent use.
type Client struct {
	cfg     Config
	conn    *grpc.ClientConn
	casConn *grpc.ClientConn // == conn unless Config.CASServer is set

	cas  repb.ContentAddressableStorageClient
	bs   bytestream.ByteStreamClient
	ac   repb.ActionCacheClient
	exec repb.ExecutionClient
	caps repb.CapabilitiesClient

	mu      sync.Mutex
	capsVal *repb.ServerCapabilities // cached after the first successful call
	fn      digest.Function          // resolved digest function, zero until known
}

// Dial prepares a client. It is lazy: no connection to the server is made
// and no RPC is sent until the first call. Only a relayed endpoint (see
// RelayConfig) is connected to at once, to its relay's unix socket, to
// learn whether the relay answers.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	cfg.setDefaults()
	if cfg.DigestFunction != (digest.Function{}) && !cfg.DigestFunction.IsValid() {
		return nil, fmt.Errorf("client: invalid digest function")
	}
	conn, err := newConn(cfg, cfg.Server)
	if err != nil {
		return nil, err
	}
	casConn := conn
	if cfg.CASServer != "" && cfg.CASServer != cfg.Server {
		if casConn, err = newConn(cfg, cfg.CASServer); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return &Client{
		cfg:     cfg,
		conn:    conn,
		casConn: casConn,
		cas:     repb.NewContentAddressableStorageClient(casConn),
		bs:      bytestream.NewByteStreamClient(casConn),
		ac:      repb.NewActionCacheClient(conn),
		exec:    repb.NewExecutionClient(conn),
		caps:    repb.NewCapabilitiesClient(conn),
	}, nil
}

// Close releases the connections.
func (c *Client) Close() error {
	err := c.conn.Close()
	if c.casConn != c.conn {
		if err2 := c.casConn.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Conn is the connection to the main server, for services this package does
// not wrap (e.g. the worker protocol).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Instance returns the configured instance name.
func (c *Client) Instance() string { return c.cfg.Instance }

package client

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// requestMetadataKey is the REAPI header carrying a RequestMetadata message.
const requestMetadataKey = "build.bazel.remote.execution.v2.requestmetadata-bin"

// parseTarget maps a rex server address to a gRPC target and whether it
// wants TLS. Host:port targets use the passthrough resolver: the dialer
// resolves the name at connect time, with no resolver goroutine to start.
func parseTarget(addr string) (target string, useTLS bool, err error) {
	switch {
	case addr == "":
		return "", false, fmt.Errorf("client: empty server address")
	case strings.HasPrefix(addr, "grpc://"):
		return hostTarget(strings.TrimPrefix(addr, "grpc://"), addr, false)
	case strings.HasPrefix(addr, "grpcs://"):
		return hostTarget(strings.TrimPrefix(addr, "grpcs://"), addr, true)
	case strings.HasPrefix(addr, "unix://"):
		if !strings.HasPrefix(addr, "unix:///") {
			return "", false, fmt.Errorf("client: address %q: want unix:///absolute/path", addr)
		}
		return addr, false, nil
	case strings.Contains(addr, "://"):
		return "", false, fmt.Errorf("client: address %q: unsupported scheme", addr)
	}
	return hostTarget(addr, addr, false)
}

func hostTarget(hostport, addr string, useTLS bool) (string, bool, error) {
	if hostport == "" || strings.ContainsAny(hostport, "/?#") {
		return "", false, fmt.Errorf("client: address %q: want host:port", addr)
	}
	return "passthrough:///" + hostport, useTLS, nil
}

func newConn(cfg Config, addr string) (*grpc.ClientConn, error) {
	target, useTLS, err := parseTarget(addr)
	if err != nil {
		return nil, err
	}
	md, err := baseMetadata(cfg)
	if err != nil {
		return nil, err
	}
	opts := []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecvMsgSize)),
		grpc.WithUnaryInterceptor(md.unary),
		grpc.WithStreamInterceptor(md.stream),
	}
	if cfg.Traffic != nil {
		opts = append(opts, grpc.WithStatsHandler(trafficHandler{cfg.Traffic}))
	}
	if relayed, ok := cfg.throughRelay(addr); ok {
		opts = append(opts, relayed...)
		target = "passthrough:///relay"
	} else {
		transport, err := transportOptions(cfg, useTLS)
		if err != nil {
			return nil, err
		}
		opts = append(opts, transport...)
	}
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", addr, err)
	}
	return conn, nil
}

// transportOptions are how a connection reaches the server itself: TLS or
// not, and the configured dialer.
func transportOptions(cfg Config, useTLS bool) ([]grpc.DialOption, error) {
	creds := insecure.NewCredentials()
	if useTLS {
		var err error
		if creds, err = tlsCredentials(cfg); err != nil {
			return nil, err
		}
	}
	opts := []grpc.DialOption{grpc.WithTransportCredentials(creds)}
	if cfg.Dialer != nil {
		opts = append(opts, grpc.WithContextDialer(cfg.Dialer))
	}
	return opts, nil
}

// DialUpstream is a relay's connection to the server at addr: the
// transport of cfg, without the per-call metadata, which each call
// brings from the rex process it relays.
func DialUpstream(cfg Config, addr string) (*grpc.ClientConn, error) {
	target, useTLS, err := parseTarget(addr)
	if err != nil {
		return nil, err
	}
	opts, err := transportOptions(cfg, useTLS)
	if err != nil {
		return nil, err
	}
	opts = append(opts, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecvMsgSize)))
	return grpc.NewClient(target, opts...)
}

func tlsCredentials(cfg Config) (credentials.TransportCredentials, error) {
	tc := &tls.Config{ServerName: cfg.TLSServerName, MinVersion: tls.VersionTLS12}
	if cfg.TLSCAFile != "" {
		pem, err := os.ReadFile(cfg.TLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("client: TLS CA: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client: TLS CA %s: no certificates", cfg.TLSCAFile)
		}
	}
	if cfg.TLSCertFile != "" || cfg.TLSKeyFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("client: TLS client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(tc), nil
}

// outgoing holds the headers attached to every call: RequestMetadata and
// the configured extra headers. Built once per connection.
type outgoing struct {
	base      *repb.RequestMetadata
	baseBytes string   // base, serialised, for calls without an action id
	pairs     []string // key, value, ... without the RequestMetadata
}

func baseMetadata(cfg Config) (*outgoing, error) {
	o := &outgoing{base: &repb.RequestMetadata{
		ToolDetails:      &repb.ToolDetails{ToolName: "rex", ToolVersion: cfg.ToolVersion},
		ToolInvocationId: cfg.InvocationID,
	}}
	for k, v := range cfg.Headers {
		k = strings.ToLower(k)
		if k == "" || k == requestMetadataKey {
			return nil, fmt.Errorf("client: header %q not allowed", k)
		}
		if k == "authorization" && cfg.Token != "" {
			return nil, fmt.Errorf("client: both a token and an authorization header are set")
		}
		o.pairs = append(o.pairs, k, v)
	}
	if cfg.Token != "" {
		o.pairs = append(o.pairs, "authorization", "Bearer "+cfg.Token)
	}
	b, err := proto.Marshal(o.base)
	if err != nil {
		return nil, fmt.Errorf("client: request metadata: %w", err)
	}
	o.baseBytes = string(b)
	return o, nil
}

type actionIDKey struct{}

// WithActionID returns a context whose RPCs carry id as the RequestMetadata
// action_id, so server logs group the calls of one compile.
func WithActionID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, actionIDKey{}, id)
}

func (o *outgoing) attach(ctx context.Context) context.Context {
	md := o.baseBytes
	if id, ok := ctx.Value(actionIDKey{}).(string); ok && id != "" {
		m := proto.Clone(o.base).(*repb.RequestMetadata)
		m.ActionId = id
		if b, err := proto.Marshal(m); err == nil { // cannot fail for this message
			md = string(b)
		}
	}
	kv := append([]string{requestMetadataKey, md}, o.pairs...)
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

func (o *outgoing) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(o.attach(ctx), method, req, reply, cc, opts...)
}

func (o *outgoing) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(o.attach(ctx), desc, cc, method, opts...)
}

// newUUID returns a random (version 4) UUID string.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

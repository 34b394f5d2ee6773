// Package relay keeps rex's gRPC connection to a distant server open
// between compiles. rex runs once per compile, and a fresh gRPC connection
// costs three round trips before the first answer (the TCP handshake, the
// HTTP/2 settings gRPC waits for, the call): at 20 ms of round trip, a
// 2 ms cache hit takes 60 ms. A relay is a small process per user and
// endpoint that listens on a unix socket under REX_DIR and passes every
// call, byte for byte, over one connection it keeps open; a compile pays
// one round trip for its lookup.
//
// The relay neither reads nor changes what it carries: the messages pass
// as opaque frames, the caller's metadata (request metadata, credentials)
// goes upstream as it came, and the server's headers, trailers and status
// come back the same way. It serves only its own user (the peer's uid is
// checked on every connection) and exits when idle or when its socket is
// removed.
package relay

import (
	"context"
	"errors"
	"io"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Unreachable starts the message of the Unavailable error a relay answers
// while its upstream connection is failing: the client fails fast on it,
// as on a failing connection of its own, rather than retrying.
const Unreachable = "relay: the server is unreachable"

// frame is one message, passed through unparsed.
type frame struct{ data []byte }

// rawCodec passes frames as they are. It calls itself "proto" so that the
// content type upstream is what the caller sent.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).data, nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	f := v.(*frame)
	f.data = append(f.data[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// handler forwards every call of any service to upstream.
type handler struct {
	upstream *grpc.ClientConn
	activity *activity
}

// ServerOptions are the options of a gRPC server that relays every call to
// upstream; activity, when not nil, counts the calls in flight.
func serverOptions(upstream *grpc.ClientConn, a *activity) []grpc.ServerOption {
	h := &handler{upstream: upstream, activity: a}
	return []grpc.ServerOption{
		grpc.UnknownServiceHandler(h.forward),
		grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessage),
		grpc.MaxSendMsgSize(maxMessage),
	}
}

// maxMessage bounds one message either way: the client's own bound.
const maxMessage = 64 << 20

func (h *handler) forward(_ any, down grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(down)
	if !ok {
		return status.Error(codes.Internal, "relay: a call without a method")
	}
	if h.activity != nil {
		h.activity.begin()
		defer h.activity.end()
	}
	if h.upstream.GetState() == connectivity.TransientFailure {
		h.upstream.Connect()
		return status.Error(codes.Unavailable, Unreachable)
	}
	ctx, cancel := context.WithCancel(down.Context())
	defer cancel()
	md, _ := metadata.FromIncomingContext(ctx)
	ctx = metadata.NewOutgoingContext(ctx, forwardable(md))
	up, err := h.upstream.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true},
		method, grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage))
	if err != nil {
		return h.unreachable(err)
	}
	sent := make(chan error, 1)
	go func() { sent <- forwardRequests(down, up) }()
	err = forwardResponses(up, down)
	if err == nil {
		// The server answered; a failure to pass the rest of the requests
		// (the caller gone) no longer matters.
		return nil
	}
	cancel()
	<-sent
	return h.unreachable(err)
}

// unreachable marks an Unavailable error that came from failing to reach
// the server at all, as the caller would have seen on its own connection.
func (h *handler) unreachable(err error) error {
	st := status.Convert(err)
	if st.Code() != codes.Unavailable || h.upstream.GetState() != connectivity.TransientFailure ||
		strings.HasPrefix(st.Message(), Unreachable) {
		return err
	}
	return status.Error(codes.Unavailable, Unreachable+": "+st.Message())
}

// forwardRequests passes the caller's messages upstream, then half-closes.
func forwardRequests(down grpc.ServerStream, up grpc.ClientStream) error {
	for {
		f := new(frame)
		if err := down.RecvMsg(f); err != nil {
			if errors.Is(err, io.EOF) {
				return up.CloseSend()
			}
			return err
		}
		if err := up.SendMsg(f); err != nil {
			// io.EOF: the server ended the call; its status comes from
			// the response side.
			return err
		}
	}
}

// forwardResponses passes the server's headers, messages and trailers
// back, and returns its status.
func forwardResponses(up grpc.ClientStream, down grpc.ServerStream) error {
	headerSent := false
	for {
		f := new(frame)
		err := up.RecvMsg(f)
		if !headerSent {
			headerSent = true
			if h, herr := up.Header(); herr == nil && len(h) > 0 {
				if err := down.SendHeader(forwardable(h)); err != nil {
					return err
				}
			}
		}
		if err != nil {
			down.SetTrailer(forwardable(up.Trailer()))
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := down.SendMsg(f); err != nil {
			return err
		}
	}
}

// forwardable is md without what gRPC itself sets per hop (pseudo-headers,
// content type, user agent, grpc-* such as the timeout, which the context's
// deadline carries instead).
func forwardable(md metadata.MD) metadata.MD {
	out := metadata.MD{}
	for k, v := range md {
		switch {
		case strings.HasPrefix(k, ":"), strings.HasPrefix(k, "grpc-"),
			k == "content-type", k == "user-agent", k == "te":
			continue
		}
		out[k] = v
	}
	return out
}

package main

import (
	"context"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// instanceNames refuses requests for instance names the server was not
// told to serve (--instance-name), as Buildbarn, BuildGrid and NativeLink
// do: a mistyped REX_INSTANCE then fails loudly (rex doctor names it)
// instead of filling a cache of its own that nobody else reads. Empty
// means every name is served. Capabilities is answered for any name:
// workers ask it before they know an instance.
type instanceNames []string

func (n instanceNames) check(msg any) error {
	name, ok := instanceOf(msg)
	if !ok || len(n) == 0 || slices.Contains(n, name) {
		return nil
	}
	return status.Errorf(codes.InvalidArgument, "unknown instance name %q: this server serves %s",
		name, strings.Join(quoted(n), ", "))
}

func (n instanceNames) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if !strings.HasSuffix(info.FullMethod, "/GetCapabilities") {
		if err := n.check(req); err != nil {
			return nil, err
		}
	}
	return h(ctx, req)
}

func (n instanceNames) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if len(n) == 0 {
		return h(srv, ss)
	}
	return h(srv, &checkedStream{ServerStream: ss, names: n})
}

// checkedStream checks the instance name of a stream's first message.
type checkedStream struct {
	grpc.ServerStream
	names   instanceNames
	checked bool
}

func (s *checkedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if s.checked {
		return nil
	}
	s.checked = true
	return s.names.check(m)
}

// instanceOf finds a request's instance name: a field of REAPI requests,
// the prefix of a ByteStream resource name.
func instanceOf(msg any) (string, bool) {
	switch m := msg.(type) {
	case interface{ GetInstanceName() string }:
		return m.GetInstanceName(), true
	case interface{ GetResourceName() string }:
		return resourceInstance(m.GetResourceName())
	}
	return "", false
}

// resourceInstance is what comes before blobs/, compressed-blobs/ or
// uploads/ in a ByteStream resource name; a later write message carries
// none.
func resourceInstance(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		if p == "blobs" || p == "compressed-blobs" || p == "uploads" {
			return strings.Join(parts[:i], "/"), true
		}
	}
	return "", false
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = `"` + n + `"`
	}
	return out
}

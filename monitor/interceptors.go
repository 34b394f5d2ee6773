package monitor

import (
	"context"
	"path"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const getActionResult = "/build.bazel.remote.execution.v2.ActionCache/GetActionResult"

// UnaryInterceptor counts unary calls by method and code, and action cache
// hits and misses.
func (mon *Monitor) UnaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	mon.count(info.FullMethod, err)
	return resp, err
}

// StreamInterceptor counts streaming calls by method and code.
func (mon *Monitor) StreamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	mon.count(info.FullMethod, err)
	return err
}

func (mon *Monitor) count(method string, err error) {
	code := status.Code(err)
	mon.m.requests.WithLabelValues(path.Base(method), code.String()).Inc()
	if method != getActionResult {
		return
	}
	switch code {
	case codes.OK:
		mon.cacheAC.hits.Add(1)
		mon.m.acLookups.WithLabelValues("hit").Inc()
	case codes.NotFound:
		mon.cacheAC.misses.Add(1)
		mon.m.acLookups.WithLabelValues("miss").Inc()
	}
}

package main

import (
	"context"
	"log"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// serverFault reports whether an RPC error is the server's own failure, the
// kind an operator must see. Misses (NotFound), refusals of bad requests and
// cancelled calls are the protocol working, and stay quiet.
func serverFault(err error) bool {
	switch status.Code(err) {
	case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unimplemented, codes.ResourceExhausted:
		return true
	}
	return false
}

func logUnaryFaults(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	resp, err := h(ctx, req)
	if serverFault(err) {
		log.Printf("%s: %v", info.FullMethod, err)
	}
	return resp, err
}

func logStreamFaults(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	err := h(srv, ss)
	if serverFault(err) {
		log.Printf("%s: %v", info.FullMethod, err)
	}
	return err
}

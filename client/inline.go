package client

import (
	"context"

	"google.golang.org/grpc/metadata"
)

// InlineOutputsHeader is request metadata by which a client asks
// rex-server to carry an Execute's stdout, stderr and small output files
// in the ExecuteResponse itself, as GetActionResult does when asked:
// ExecuteRequest has no field for it, and the call that would fetch them
// costs a round trip after every remote compile. Other servers ignore the
// header; what a response does not carry is fetched as before.
const InlineOutputsHeader = "rex-inline-outputs"

// askInline adds InlineOutputsHeader to the calls made with ctx.
func askInline(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, InlineOutputsHeader, "1")
}

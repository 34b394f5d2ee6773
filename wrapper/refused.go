package wrapper

import (
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// explainRefusal says plainly when a fallback comes from the server
// refusing rex's token or certificate: a user who sees a bare
// PERMISSION_DENIED rarely thinks of REX_TOKEN, and every compile of the
// build would fall back for the same reason.
func explainRefusal(err error) error {
	switch status.Code(err) {
	case codes.Unauthenticated, codes.PermissionDenied:
		return fmt.Errorf("the server refused rex's credentials: %w", err)
	}
	return err
}

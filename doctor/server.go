package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/wrapper"
)

// reach asks the server's Capabilities, and names what a failure means.
func (r *report) reach(ctx context.Context, c *client.Client, cfg wrapper.Config) (*repb.ServerCapabilities, bool) {
	start := time.Now()
	caps, err := c.Capabilities(ctx)
	server := cfg.Client.Server
	if err == nil {
		// Capabilities may be answered for any instance: an action cache
		// lookup shows whether the server serves this one.
		err = lookupProbe(ctx, c)
	}
	switch code := status.Code(err); {
	case err == nil:
		r.add(OK, "server", fmt.Sprintf("%s answered in %s (instance %s)", server,
			time.Since(start).Round(time.Millisecond), instanceText(cfg.Client.Instance)), "")
		return caps, true
	case code == codes.Unauthenticated || code == codes.PermissionDenied:
		r.add(Problem, "credentials", fmt.Sprintf("%s refused rex's credentials: %v", server, status.Convert(err).Message()),
			"set REX_TOKEN_FILE (or REX_TOKEN) to a token with the execute role, or the TLS client certificate")
	case code == codes.InvalidArgument && strings.Contains(strings.ToLower(err.Error()), "instance"),
		code == codes.NotFound && strings.Contains(strings.ToLower(err.Error()), "instance"):
		r.add(Problem, "instance name", fmt.Sprintf("%s does not serve instance %s: %v", server,
			instanceText(cfg.Client.Instance), status.Convert(err).Message()),
			"set REX_INSTANCE to the instance name the server is configured with")
	case code == codes.Unavailable || code == codes.DeadlineExceeded:
		r.add(Problem, "server", fmt.Sprintf("cannot reach %s: %v", server, status.Convert(err).Message()),
			"start rex-server (or check that it listens there), or set REX_SERVER to where it runs")
	default:
		r.add(Problem, "server", fmt.Sprintf("%s failed: %v", server, err), "")
	}
	return nil, false
}

// lookupProbe asks the action cache for an action nobody ran: a miss
// (NOT_FOUND) is the healthy answer.
func lookupProbe(ctx context.Context, c *client.Client) error {
	fn, err := c.Function(ctx)
	if err != nil {
		return err
	}
	_, err = c.GetActionResult(ctx, fn.FromBytes([]byte("rex doctor: no such action")), nil)
	return err
}

// capabilities checks the digest function, execution and cache writes
// against what rex is set to do.
func (r *report) capabilities(caps *repb.ServerCapabilities, cfg wrapper.Config) {
	var offered []string
	for _, f := range caps.GetCacheCapabilities().GetDigestFunctions() {
		offered = append(offered, strings.ToLower(f.String()))
	}
	want := cfg.Client.DigestFunction
	if want == (digest.Function{}) {
		want = digest.SHA256
	}
	switch {
	case len(offered) == 0 || slices.Contains(offered, want.Name()):
		r.add(OK, "digest function", fmt.Sprintf("%s (the server offers %s)", want.Name(), strings.Join(offered, ", ")), "")
	default:
		r.add(Problem, "digest function", fmt.Sprintf("the server does not offer %s (it offers %s)", want.Name(),
			strings.Join(offered, ", ")), "set REX_DIGEST_FUNCTION to one the server offers (sha256)")
	}
	execOn := caps.GetExecutionCapabilities().GetExecEnabled()
	updates := caps.GetCacheCapabilities().GetActionCacheUpdateCapabilities().GetUpdateEnabled()
	switch {
	case cfg.CacheOnly && !updates:
		r.add(Warning, "cache-only", "REX_CACHE_ONLY is set, but the server says clients may not write its action cache",
			"give rex a token with the cache-write role, or start rex-server with --allow-cache-writes")
	case cfg.CacheOnly:
		r.add(OK, "cache-only", "rex compiles locally and fills the server's cache", "")
	case !execOn:
		r.add(Problem, "execution", "the server executes nothing (a cache-only server): every miss would fall back",
			"set REX_CACHE_ONLY=1, or point REX_SERVER at a server with remote execution")
	default:
		r.add(OK, "execution", "the server runs actions remotely", "")
	}
}

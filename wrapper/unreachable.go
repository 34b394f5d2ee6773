package wrapper

import (
	"errors"
	"os"
	"time"

	"github.com/rexbuild/rex/endpoint"
)

// A server that cannot be reached stays unreachable for a while
// (endpoint.UnreachableFor): a build that finds it down skips the remote
// path for that long.

var errRecentlyUnreachable = errors.New("the server was unreachable moments ago")

// unreachableMarker names the marker of the server cfg talks to, or "".
func unreachableMarker(cfg Config) string {
	c := cfg.Client
	return endpoint.UnreachableMarker(cfg.StateDir, c.Server, c.CASServer, c.Instance)
}

// serverFile names a state file about the server cfg talks to, or "" when
// there is no state directory.
func serverFile(cfg Config, prefix string) string {
	c := cfg.Client
	return endpoint.StateFile(cfg.StateDir, prefix, c.Server, c.CASServer, c.Instance)
}

// capabilitiesMaxAge is how long a server's Capabilities are trusted
// without asking: a server reconfigured at the same address is seen after
// it, or after any failure (which forgets them).
const capabilitiesMaxAge = 10 * time.Minute

// recentlyUnreachable reports whether a rex process found cfg's server
// unreachable within endpoint.UnreachableFor.
func recentlyUnreachable(cfg Config) bool {
	return endpoint.RecentlyUnreachable(unreachableMarker(cfg))
}

// noteReachability records a server that could not be connected to (not
// one that answered Unavailable: that one is up, and busy), or clears the
// record once a call got through.
func noteReachability(cfg Config, err error, unreachable bool) {
	marker := unreachableMarker(cfg)
	if marker == "" {
		return
	}
	switch {
	case err == nil:
		os.Remove(marker)
	case unreachable:
		os.MkdirAll(cfg.StateDir, 0o755)
		os.WriteFile(marker, nil, 0o644)
		now := time.Now()
		os.Chtimes(marker, now, now)
	}
}

package wrapper

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/rexbuild/rex/digest"
)

// A server that cannot be reached stays unreachable for a while: a build
// that finds it down skips the remote path (and its dependency scan) for
// unreachableFor, instead of paying for it on every compile.
const unreachableFor = 10 * time.Second

var errRecentlyUnreachable = errors.New("the server was unreachable moments ago")

// unreachableMarker names the marker of the server cfg talks to: one per
// server address, CAS address and instance, so a build against one server
// is never skipped because another was down. "" when there is no state
// directory.
func unreachableMarker(cfg Config) string {
	return serverFile(cfg, "server-unreachable-")
}

// serverFile names a state file about the server cfg talks to, or "" when
// there is no state directory.
func serverFile(cfg Config, prefix string) string {
	if cfg.StateDir == "" {
		return ""
	}
	c := cfg.Client
	key := digest.SHA256.FromBytes([]byte(c.Server + "\x00" + c.CASServer + "\x00" + c.Instance))
	return filepath.Join(cfg.StateDir, prefix+key.Hash[:16])
}

// capabilitiesMaxAge is how long a server's Capabilities are trusted
// without asking: a server reconfigured at the same address is seen after
// it, or after any failure (which forgets them).
const capabilitiesMaxAge = 10 * time.Minute

// recentlyUnreachable reports whether a rex process found cfg's server
// unreachable within unreachableFor.
func recentlyUnreachable(cfg Config) bool {
	marker := unreachableMarker(cfg)
	if marker == "" {
		return false
	}
	st, err := os.Stat(marker)
	return err == nil && time.Since(st.ModTime()) < unreachableFor
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

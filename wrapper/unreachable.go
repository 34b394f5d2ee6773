package wrapper

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"
)

// A server that cannot be reached stays unreachable for a while: a build
// that finds it down skips the remote path (and its dependency scan) for
// unreachableFor, instead of paying for it on every compile.
const unreachableFor = 10 * time.Second

var errRecentlyUnreachable = errors.New("the server was unreachable moments ago")

func unreachableMarker(stateDir string) string {
	return filepath.Join(stateDir, "server-unreachable")
}

// recentlyUnreachable reports whether a rex process found the server
// unreachable within unreachableFor.
func recentlyUnreachable(stateDir string) bool {
	if stateDir == "" {
		return false
	}
	st, err := os.Stat(unreachableMarker(stateDir))
	return err == nil && time.Since(st.ModTime()) < unreachableFor
}

// noteReachability records a server that could not be connected to (not
// one that answered Unavailable: that one is up, and busy), or clears the
// record once a call got through.
func noteReachability(stateDir string, err error, state connectivity.State) {
	if stateDir == "" {
		return
	}
	marker := unreachableMarker(stateDir)
	switch {
	case err == nil:
		os.Remove(marker)
	case status.Code(err) == codes.Unavailable && state == connectivity.TransientFailure:
		os.MkdirAll(stateDir, 0o755)
		os.WriteFile(marker, nil, 0o644)
		now := time.Now()
		os.Chtimes(marker, now, now)
	}
}

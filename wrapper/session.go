package wrapper

import (
	"context"
	"errors"
	"path/filepath"
	"sync"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/stats"
)

// session is one compile's way through the caches and the server: the
// client is dialled once, when first needed.
type session struct {
	cfg    Config
	inv    Invocation
	ph     *stats.Phases
	verify bool
	cache  *localcache.Store
	key    string // the direct-mode context, or ""
	c      *client.Client
	plan   *actionPlan
	// results is the local cache when it keeps and serves results, else
	// nil: cache may hold only direct-mode records.
	results *localcache.Store
	// defaultDown is set once the default server was found not running.
	defaultDown bool
	// sourceOnce makes the source's name (see sourceKeyOf) once a compile.
	sourceOnce sync.Once
	sourceName string
	sourceOK   bool
}

// recordsBound bounds the local cache when it keeps only direct-mode
// records (results are off).
const recordsBound = 256 << 20

// openLocalCache opens the local cache: cache for direct-mode records and
// results, results the same store when it keeps results (not with
// REX_LOCAL_CACHE_SIZE=0, nor for a compile being verified), else nil.
func openLocalCache(cfg Config, verify bool) (cache, results *localcache.Store) {
	keep := cfg.LocalCacheSize > 0 && !verify
	if !cfg.direct() && !keep {
		return nil, nil
	}
	cache = localcache.Open(filepath.Join(cfg.StateDir, "cache"), max(cfg.LocalCacheSize, recordsBound))
	if keep {
		results = cache
	}
	return cache, results
}

func (s *session) close() {
	if s.c != nil {
		s.c.Close()
	}
}

func (s *session) finish(res Result, err error) (Result, error) {
	if err != nil && !errors.Is(err, errLocal) && s.c != nil {
		s.c.ForgetCapabilities()
	}
	s.ph.Mark("outputs")
	res.Phases = s.ph.String()
	if s.plan != nil {
		res.Action = s.plan.actionDigest.String()
		res.Key = s.plan.key
	}
	return res, err
}

// noServer says whether the compile has no server to use: none is
// configured, or the default one is not there.
func (s *session) noServer() bool { return s.cfg.Client.Server == "" || s.defaultDown }

// defaultIsDown says whether err means that the default server is not
// running (nothing configured one), and so that this compile has none.
func (s *session) defaultIsDown(err error) bool {
	if !s.cfg.ServerImplicit {
		return false
	}
	unreachable := errors.Is(err, errRecentlyUnreachable) ||
		s.c != nil && s.c.Unreachable(err)
	s.defaultDown = unreachable
	return unreachable
}

// client dials the server, unless it was found unreachable moments ago.
func (s *session) client(ctx context.Context) (*client.Client, error) {
	if s.c != nil {
		return s.c, nil
	}
	if recentlyUnreachable(s.cfg) {
		return nil, errRecentlyUnreachable
	}
	cc := s.cfg.Client
	cc.CapabilitiesFile, cc.CapabilitiesMaxAge = serverFile(s.cfg, "capabilities-"), capabilitiesMaxAge
	c, err := client.Dial(ctx, cc)
	if err != nil {
		return nil, err
	}
	s.c = c
	return c, nil
}

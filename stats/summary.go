package stats

// Summary is what `rex stats --json` prints: the counters, the figures
// derived from them, and the last fallback and mismatch. Its field names
// are stable; the README documents each.
type Summary struct {
	Counters
	// Compiles counts every recorded invocation.
	Compiles int64 `json:"compiles"`
	// HitRate is the share of cacheable compiles (all but local runs)
	// served from a cache, local or remote; 0 when there were none.
	HitRate      float64 `json:"hit_rate"`
	LastFallback string  `json:"last_fallback,omitempty"`
	LastMismatch string  `json:"last_mismatch,omitempty"`
}

// Summarize derives the summary of the counters under dir.
func Summarize(dir string) (Summary, error) {
	c, err := Read(dir)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Counters: c, LastFallback: LastFallback(dir), LastMismatch: LastMismatch(dir)}
	s.Compiles = c.CacheHits + c.LocalCacheHits + c.RemoteExecutions + c.LocalFallbacks + c.LocalRuns + c.CacheMisses
	s.HitRate = hitRate(c.CacheHits+c.LocalCacheHits, s.Compiles-c.LocalRuns)
	if c.Reasons == nil {
		s.Reasons = map[string]map[string]int64{}
	}
	if c.TimeMs == nil {
		s.TimeMs = map[string]int64{}
	}
	return s, nil
}

func hitRate(hits, cacheable int64) float64 {
	if cacheable <= 0 {
		return 0
	}
	return float64(hits) / float64(cacheable)
}

package adversarial

import (
	"encoding/json"
	"os/exec"
	"strings"

	"github.com/rexbuild/rex/integration/testenv"
)

// rexStats is `rex stats --json`.
type rexStats struct {
	CacheHits        int    `json:"cache_hits"`
	RemoteExecutions int    `json:"remote_executions"`
	LocalFallbacks   int    `json:"local_fallbacks"`
	LocalRuns        int    `json:"local_runs"`
	CacheMisses      int    `json:"cache_misses"`
	LocalCacheHits   int    `json:"local_cache_hits"`
	LastFallback     string `json:"last_fallback"`
}

func (k *kase) stats() rexStats {
	k.t.Helper()
	cmd := exec.Command(testenv.Bin(k.t, "rex"), "stats", "--json")
	cmd.Env = k.environ(false)
	out, err := cmd.Output()
	var s rexStats
	if err == nil {
		err = json.Unmarshal(out, &s)
	}
	if err != nil {
		k.t.Fatalf("rex stats --json: %q: %v", out, err)
	}
	return s
}

// outcome names what one rex run did, from the counters' deltas.
func outcome(before, after rexStats) string {
	var got []string
	for _, o := range []struct {
		name string
		d    int
	}{
		{"cache hit", after.CacheHits - before.CacheHits},
		{"local cache hit", after.LocalCacheHits - before.LocalCacheHits},
		{"remote execution", after.RemoteExecutions - before.RemoteExecutions},
		{"local run", after.LocalRuns - before.LocalRuns},
		{"cache miss", after.CacheMisses - before.CacheMisses},
		{"local fallback (" + after.LastFallback + ")", after.LocalFallbacks - before.LocalFallbacks},
	} {
		for i := 0; i < o.d; i++ {
			got = append(got, o.name)
		}
	}
	if len(got) == 0 {
		return "no outcome recorded"
	}
	return strings.Join(got, " + ")
}

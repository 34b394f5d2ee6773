package main

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/stats"
)

// outcomeRows are the outcomes as the text report lists them.
var outcomeRows = []struct {
	o           stats.Outcome
	label, note string
}{
	{stats.CacheHit, "cache hits", " (remote cache)"},
	{stats.LocalCacheHit, "local cache hits", ""},
	{stats.RemoteExecution, "remote executions", ""},
	{stats.CacheMiss, "cache misses", " (compiled locally, cache filled)"},
	{stats.LocalRun, "local runs", " (not remotable)"},
	{stats.LocalFallback, "local fallbacks", " (remote failed)"},
}

// printSummary writes the counters as a person reads them: each outcome
// with its time and top reasons, then the derived figures.
func printSummary(w io.Writer, s stats.Summary) {
	fmt.Fprintf(w, "compiles           %d\n", s.Compiles)
	for _, row := range outcomeRows {
		key := row.o.Key()
		n := s.Count(row.o)
		fmt.Fprintf(w, "%-18s %d%s%s\n", row.label, n, row.note, timeNote(s.TimeMs[key], n))
		printReasons(w, s.Reasons[key], n)
	}
	fmt.Fprintf(w, "hit rate           %.1f %%\n", 100*s.HitRate)
	fmt.Fprintf(w, "time saved         %s (what the hits' compiles cost when they ran, less the hits' time)\n",
		duration(s.TimeSavedMs))
	fmt.Fprintf(w, "uploaded           %s\n", bytesize.Format(s.BytesUploaded))
	fmt.Fprintf(w, "downloaded         %s\n", bytesize.Format(s.BytesDownloaded))
	fmt.Fprintf(w, "verified           %d (compiled locally as well, compared)\n", s.Verified)
	fmt.Fprintf(w, "verify mismatches  %d\n", s.VerifyMismatches)
	if s.LastFallback != "" {
		fmt.Fprintf(w, "last fallback      %s\n", s.LastFallback)
	}
	if s.LastMismatch != "" {
		fmt.Fprintf(w, "last mismatch      %s\n", s.LastMismatch)
	}
}

func timeNote(totalMs, n int64) string {
	if n == 0 || totalMs == 0 {
		return ""
	}
	return fmt.Sprintf(", %s in all, %s each", duration(totalMs), duration(totalMs/n))
}

// topReasons is how many reasons an outcome lists.
const topReasons = 5

func printReasons(w io.Writer, byCat map[string]int64, total int64) {
	type reason struct {
		cat string
		n   int64
	}
	var rs []reason
	for cat, n := range byCat {
		rs = append(rs, reason{cat, n})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n || rs[i].n == rs[j].n && rs[i].cat < rs[j].cat })
	for i, r := range rs {
		if i == topReasons {
			fmt.Fprintf(w, "    ... and %d more reasons\n", len(rs)-topReasons)
			break
		}
		fmt.Fprintf(w, "    %6d  %s\n", r.n, r.cat)
	}
}

func duration(ms int64) string {
	return (time.Duration(ms) * time.Millisecond).Round(time.Millisecond).String()
}

// printReport writes what one build did, for a CI log.
func printReport(w io.Writer, r stats.BuildReport) {
	fmt.Fprintf(w, "compiles           %d\n", r.Compiles)
	for _, row := range outcomeRows {
		key := row.o.Key()
		if n := r.Outcomes[key]; n > 0 {
			fmt.Fprintf(w, "%-18s %d%s\n", row.label, n, row.note)
			printReasons(w, r.Reasons[key], n)
		}
	}
	fmt.Fprintf(w, "hit rate           %.1f %%\n", 100*r.HitRate)
	fmt.Fprintf(w, "rex time           %s (time saved %s)\n", duration(r.WallMs), duration(r.TimeSavedMs))
	if len(r.Slowest) > 0 {
		fmt.Fprintf(w, "slowest compiles\n")
	}
	for _, e := range r.Slowest {
		fmt.Fprintf(w, "    %9s  %-18s %s\n", duration(e.WallMs), e.Outcome, e.Output)
	}
	fmt.Fprintf(w, "fallbacks          %d\n", len(r.Fallbacks))
	for _, e := range r.Fallbacks {
		fmt.Fprintf(w, "    %s  %s: %s\n", e.Time.Format(time.TimeOnly), e.Output, e.Reason)
	}
}

package plan

import (
	"context"
	"path/filepath"
	"runtime"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/errgroup"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/explain"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/wrapper"
)

// Compile is one entry's prediction.
type Compile struct {
	File   string `json:"file"`
	Output string `json:"output,omitempty"`
	// Outcome is "hit", "miss" or "local".
	Outcome string `json:"outcome"`
	// Reason says why a compile would miss or run locally.
	Reason string `json:"reason,omitempty"`
	Action string `json:"action,omitempty"`
}

// Report is the prediction for the whole database.
type Report struct {
	Compiles int `json:"compiles"`
	Hits     int `json:"predicted_hits"`
	Misses   int `json:"predicted_misses"`
	Local    int `json:"local_runs"`
	// HitRate is Hits / (Compiles - Local), as `rex stats` counts it.
	HitRate float64 `json:"predicted_hit_rate"`
	// Reasons counts the misses and local runs by reason.
	Reasons map[string]map[string]int `json:"reasons"`
	Entries []Compile                 `json:"entries"`
	// Prefetched counts the results --prefetch kept in the local cache.
	Prefetched int `json:"prefetched,omitempty"`
}

// Options tune a prediction.
type Options struct {
	// Env is the environment the compiles would run in.
	Env []string
	// Scans bounds the dependency scans run at once (the CPUs).
	Scans int
	// Prefetch keeps every predicted hit from the server in the local
	// cache, so that the build hits without the server.
	Prefetch bool
}

// lookups bounds the GetActionResult calls in flight: REAPI has no batch
// lookup, so they share one connection, many at a time.
const lookups = 32

// Predict plans every entry and looks its action up.
func Predict(ctx context.Context, cfg wrapper.Config, entries []Entry, opts Options) (Report, error) {
	c, err := client.Dial(ctx, cfg.Client)
	if err != nil {
		return Report{}, err
	}
	defer c.Close()
	fn, err := c.Function(ctx)
	if err != nil {
		return Report{}, err
	}
	preds := predictAll(ctx, cfg, entries, fn, opts)
	results := make([]*repb.ActionResult, len(preds))
	var g errgroup.Group
	g.SetLimit(lookups)
	for i, p := range preds {
		if p.Local != nil || p.LocalHit {
			continue
		}
		g.Go(func() (err error) {
			results[i], err = c.GetActionResult(ctx, p.Action, nil)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return Report{}, err
	}
	r := summarize(cfg.StateDir, entries, preds, results)
	if opts.Prefetch {
		r.Prefetched, err = prefetch(ctx, cfg, c, preds, results)
	}
	return r, err
}

// prefetch keeps the server's hits in the local cache, a few at a time.
func prefetch(ctx context.Context, cfg wrapper.Config, c *client.Client, preds []wrapper.Prediction, results []*repb.ActionResult) (int, error) {
	var g errgroup.Group
	g.SetLimit(8)
	fetched := make([]bool, len(preds))
	for i, p := range preds {
		if p.Local != nil || p.LocalHit || !hit(results[i], p.Outputs) {
			continue
		}
		g.Go(func() error {
			err := wrapper.Prefetch(ctx, cfg, c, p, results[i])
			fetched[i] = err == nil
			return err
		})
	}
	err := g.Wait()
	n := 0
	for _, f := range fetched {
		if f {
			n++
		}
	}
	return n, err
}

// predictAll plans the entries, a few at a time: each runs the compiler's
// dependency scan.
func predictAll(ctx context.Context, cfg wrapper.Config, entries []Entry, fn digest.Function, opts Options) []wrapper.Prediction {
	if opts.Scans <= 0 {
		opts.Scans = runtime.NumCPU()
	}
	preds := make([]wrapper.Prediction, len(entries))
	var g errgroup.Group
	g.SetLimit(opts.Scans)
	for i, e := range entries {
		g.Go(func() error {
			argv, err := e.Argv()
			if err != nil {
				preds[i] = wrapper.Prediction{Local: err}
				return nil
			}
			preds[i] = wrapper.Predict(ctx, cfg, wrapper.Invocation{Argv: argv, Dir: e.Directory, Env: opts.Env}, fn)
			return nil
		})
	}
	g.Wait()
	return preds
}

func summarize(stateDir string, entries []Entry, preds []wrapper.Prediction, results []*repb.ActionResult) Report {
	r := Report{Compiles: len(entries), Reasons: map[string]map[string]int{}, Entries: []Compile{}}
	records := explain.NewStore(stateDir)
	for i, e := range entries {
		c := Compile{File: e.File, Output: outputPath(e, preds[i])}
		switch p := preds[i]; {
		case p.Local != nil:
			c.Outcome, c.Reason = "local", stats.Category(p.Local.Error())
			r.Local++
		case p.LocalHit || hit(results[i], p.Outputs):
			c.Outcome, c.Action = "hit", p.Action.String()
			r.Hits++
		default:
			c.Outcome, c.Action, c.Reason = "miss", p.Action.String(), missReason(records, c.Output, p.Key)
			r.Misses++
		}
		if c.Reason != "" {
			if r.Reasons[c.Outcome] == nil {
				r.Reasons[c.Outcome] = map[string]int{}
			}
			r.Reasons[c.Outcome][c.Reason]++
		}
		r.Entries = append(r.Entries, c)
	}
	if n := r.Compiles - r.Local; n > 0 {
		r.HitRate = float64(r.Hits) / float64(n)
	}
	return r
}

// hit says whether a cached result stands for the compile, as the
// wrapper decides: a success holding every declared output.
func hit(res *repb.ActionResult, outputs []string) bool {
	if res == nil || res.GetExitCode() != 0 {
		return false
	}
	have := map[string]bool{}
	for _, f := range res.GetOutputFiles() {
		have[f.GetPath()] = true
	}
	for _, o := range outputs {
		if !have[o] {
			return false
		}
	}
	return true
}

// outputPath is the entry's object, absolute, as rex's records name it.
func outputPath(e Entry, p wrapper.Prediction) string {
	out := e.Output
	if out == "" && len(p.Outputs) > 0 {
		out = p.Outputs[0]
	}
	if out == "" {
		return ""
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(e.Directory, out)
	}
	return filepath.Clean(out)
}

// missReason names what a miss differs in from the output's last compile
// through rex here, when one is recorded: the first difference, inputs
// before arguments, so that the misses one header edit causes count
// under that header.
func missReason(records explain.Store, output string, k *explain.Key) string {
	keys := records.Keys(output)
	if len(keys) == 0 || k == nil {
		return "not compiled here before"
	}
	if keys[0].Action == k.Action {
		return "same key as its last compile: the server no longer has the result"
	}
	diffs := explain.Compare(keys[0], *k)
	if len(diffs) == 0 {
		return "a key fact not recorded differs"
	}
	d := diffs[0]
	if d.Name != "" {
		return d.Kind + " " + d.Name + " differs"
	}
	return d.Kind + " differs"
}

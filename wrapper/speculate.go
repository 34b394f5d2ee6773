package wrapper

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// A miss runs the dependency scan and then the remote compile, one after
// the other: on hello.cpp the scan is a sixth of the local compile. When
// this source was scanned before (an edit, a changed -D), its inputs are
// most likely the same: rex plans the action from that earlier scan and
// sends it at once, while the real scan runs. The speculation's result is
// used only when the scan leads to the very same action digest, which
// covers every input, the command and the salt; otherwise it is dropped
// and the compile goes on from the scan alone. A wrong guess costs a
// remote compile nobody uses, never a wrong result: a worker that read a
// file the guess left out cached that result under a key no scan leads to.

// scanKey names the scans of one source by one compiler in one directory.
func scanKey(tc *toolchain.Toolchain, dir string, p *compiler.Invocation) string {
	return digest.BLAKE3.FromBytes([]byte("rex scan v1\x00" + tc.Path + "\x00" + dir + "\x00" + p.Source)).Hash
}

// predictedScan is what is kept of a scan: what a plan is made from, and
// the source's directive lines when it was scanned.
type predictedScan struct {
	Deps       []string           `json:"deps"`
	Search     depscan.SearchList `json:"search"`
	Directives string             `json:"directives"`
}

// loadPrediction returns the scan kept under key if the source's directive
// lines are still those it was scanned with: a source that includes other
// headers now (a configure test reusing one file name) would send a remote
// compile nobody uses.
func loadPrediction(cache *localcache.Store, key, source string) *depscan.Result {
	data, ok := cache.Get(localcache.Scans, key)
	if !ok {
		return nil
	}
	var ps predictedScan
	if json.Unmarshal(data, &ps) != nil || len(ps.Deps) == 0 || ps.Directives != directiveLines(source) {
		return nil
	}
	return &depscan.Result{Deps: ps.Deps, Search: ps.Search}
}

func savePrediction(cache *localcache.Store, key, source string, scan *depscan.Result) {
	ps := predictedScan{Deps: scan.Deps, Search: scan.Search, Directives: directiveLines(source)}
	if data, err := json.Marshal(ps); err == nil {
		cache.Put(localcache.Scans, key, data)
	}
}

// directiveLines digests the source's lines that start with '#' (after
// blanks), or "" when it cannot be read: what decides which headers it
// reads, as far as the source alone can tell.
func directiveLines(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	h := digest.BLAKE3.NewHash()
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if t := bytes.TrimLeft(line, " \t"); len(t) > 0 && t[0] == '#' {
			h.Write(t)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sourcePath is where the compile's source is read.
func sourcePath(dir string, p *compiler.Invocation) string {
	if filepath.IsAbs(p.Source) {
		return p.Source
	}
	return filepath.Join(dir, p.Source)
}

// speculation is an action planned from a predicted scan and sent to the
// server while the real scan runs.
type speculation struct {
	predicted *depscan.Result
	cancel    context.CancelFunc
	action    chan digest.Digest // the speculation's digest, or zero when it could not plan
	done      chan specResult
	// asked is closed once the speculation's lookup has answered (its
	// upload is under way by then) or it ended: see holdScan.
	asked chan struct{}
}

type specResult struct {
	result  *repb.ActionResult
	outcome stats.Outcome
	err     error
}

// speculates says whether the compile is one to speculate on: one with a
// server that executes, the scan's usual path.
func (s *session) speculates() bool {
	return s.cache != nil && s.c != nil && !s.cfg.CacheOnly && !s.cfg.Hermetic && !s.verify
}

// speculate starts the speculation, or returns nil when the compile has no
// prediction or is not one to speculate on.
func (s *session) speculate(ctx context.Context, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function) *speculation {
	if !s.speculates() {
		return nil
	}
	predicted := loadPrediction(s.cache, scanKey(tc, s.inv.Dir, p), sourcePath(s.inv.Dir, p))
	if predicted == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	sp := &speculation{predicted: predicted, cancel: cancel, action: make(chan digest.Digest, 1),
		done: make(chan specResult, 1), asked: make(chan struct{})}
	go func() {
		var once sync.Once
		asked := func() { once.Do(func() { close(sp.asked) }) }
		defer asked()
		plan, err := planWith(ctx, s.cfg, s.inv, p, tc, fn, nil, predicted)
		if err != nil {
			sp.action <- digest.Digest{}
			return
		}
		defer plan.discard()
		if seen, ok := s.sourceKeyOf(tc, p); ok {
			plan.addMarker(fn, seen) // its result may be the one served
		}
		sp.action <- plan.actionDigest
		if s.results.Has(localcache.Results, localKey(plan)) {
			// The local cache will answer: nothing to ask the server.
			sp.done <- specResult{err: errSpeculationMissed}
			return
		}
		result, outcome, err := fetchResult(client.WithActionID(ctx, plan.actionDigest.Hash), s.c, plan, asked)
		sp.done <- specResult{result, outcome, err}
	}()
	return sp
}

// fetchResult looks the action up and, on a miss, runs it: the result,
// not yet delivered. The action is most likely new: its upload begins
// with the lookup. asked is called once the lookup has answered.
func fetchResult(ctx context.Context, c *client.Client, plan *actionPlan, asked func()) (*repb.ActionResult, stats.Outcome, error) {
	plan.missing = sendEarly(ctx, c, plan)
	cached, err := c.GetActionResult(ctx, plan.actionDigest, plan.outputs)
	asked()
	if err != nil {
		return nil, 0, err
	}
	if cached != nil && complete(cached, plan) {
		return cached, stats.CacheHit, nil
	}
	result, err := execute(ctx, c, plan, client.ExecuteOptions{})
	return result, stats.RemoteExecution, err
}

// stop cancels the speculation, whatever it is doing.
func (sp *speculation) stop() {
	if sp != nil {
		sp.cancel()
	}
}

// keepPrediction keeps the scan that planned the compile for the next
// compile of the source, unless it is the prediction already kept.
func (s *session) keepPrediction(sp *speculation, plan *actionPlan, tc *toolchain.Toolchain, p *compiler.Invocation) {
	if !s.speculates() || plan.scanned == nil {
		return
	}
	if sp != nil && sameScan(sp.predicted, plan.scanned) {
		return
	}
	savePrediction(s.cache, scanKey(tc, s.inv.Dir, p), sourcePath(s.inv.Dir, p), plan.scanned)
}

func sameScan(a, b *depscan.Result) bool {
	return slices.Equal(a.Deps, b.Deps) && slices.Equal(a.Search.Quote, b.Search.Quote) &&
		slices.Equal(a.Search.Angle, b.Search.Angle) && slices.Equal(a.Search.Ignored, b.Search.Ignored)
}

// errSpeculationMissed says the scan led elsewhere than the prediction.
var errSpeculationMissed = errors.New("the scan did not confirm the speculation")

// confirm waits for the speculation's result when it planned the action
// the scan led to, and cancels it otherwise.
func (sp *speculation) confirm(action digest.Digest) (specResult, error) {
	if sp == nil {
		return specResult{}, errSpeculationMissed
	}
	if got := <-sp.action; got != action {
		sp.cancel()
		return specResult{}, errSpeculationMissed
	}
	r := <-sp.done
	return r, r.err
}

// serveSpeculated delivers a confirmed speculation's result for plan, the
// scan's plan of the same action. ok is false when the compile must go the
// usual way (no speculation, another action, a failure on the way).
func (s *session) serveSpeculated(ctx context.Context, sp *speculation, plan *actionPlan) (Result, bool) {
	r, err := sp.confirm(plan.actionDigest)
	if err != nil {
		return Result{}, false
	}
	s.ph.Mark("execute (begun before the scan ended)")
	ctx = client.WithActionID(ctx, plan.actionDigest.Hash)
	res, err := materialize(ctx, s.c, s.inv.Dir, plan, r.result, r.outcome)
	return res, err == nil
}

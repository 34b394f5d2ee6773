package wrapper

import (
	"context"
	"errors"
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// runRemote looks the action up in the remote cache and, on a miss, runs it
// remotely (or locally, filling the cache, in cache-only mode).
func runRemote(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation) (Result, error) {
	ph := stats.NewPhases()
	env := envMap(inv.Env)
	if err := envRunsLocally(env); err != nil {
		return Result{}, err
	}
	tc, err := toolchain.Load(ctx, cfg.StateDir, p.Args[0], inv.Dir, inv.Env)
	if err != nil {
		return Result{}, localf("%v", err)
	}
	if err := toolchainRunsLocally(tc, env, inv.Dir, p.Args); err != nil {
		return Result{}, err
	}
	ph.Mark("toolchain")
	s := &session{cfg: cfg, inv: inv, ph: ph, verify: sampled(cfg.VerifyRate)}
	defer s.close()
	s.cache, s.results = openLocalCache(cfg, s.verify)
	if cfg.direct() && s.cache != nil && !s.verify {
		s.key = directContext(cfg, inv, p.Args, tc, env)
		if res, ok := s.serveRecorded(ctx); ok {
			return s.finish(res, nil)
		}
	}
	return s.finish(s.runPlanned(ctx, p, tc))
}

// lookup asks the server's action cache, with the outputs inline so that
// a small hit needs no second call.
func (s *session) lookup(ctx context.Context, plan *actionPlan) (*repb.ActionResult, error) {
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	cached, err := c.GetActionResult(ctx, plan.actionDigest, plan.outputs)
	noteReachability(s.cfg, err, c.Unreachable(err))
	if err != nil {
		return nil, fmt.Errorf("GetActionResult: %w", err)
	}
	s.ph.Mark("lookup")
	return cached, nil
}

// serveRecorded serves a compile from its direct-mode record: from the
// local cache, else from the server's cache. ok is false when it could not
// (no record holds, a miss, any failure): the full path then runs, and
// nothing was written.
func (s *session) serveRecorded(ctx context.Context) (Result, bool) {
	plan := directPlan(s.cache, s.key, s.inv.Dir)
	if plan == nil {
		return Result{}, false
	}
	defer plan.discard()
	s.ph.Mark("direct")
	if res, ok := serveLocal(s.results, s.inv.Dir, plan); ok {
		s.plan = plan
		return res, true
	}
	if s.noServer() {
		return Result{}, false
	}
	c, err := s.client(ctx)
	if err != nil {
		return Result{}, false
	}
	if fn, err := c.Function(ctx); err != nil || fn.Name() != plan.function {
		return Result{}, false
	}
	ctx = client.WithActionID(ctx, plan.actionDigest.Hash)
	cached, err := s.lookup(ctx, plan)
	if err != nil || cached == nil || !complete(cached, plan) {
		return Result{}, false
	}
	res, err := materialize(ctx, c, s.inv.Dir, plan, cached, stats.CacheHit)
	if err != nil {
		return Result{}, false
	}
	keepLocal(s.results, s.inv.Dir, plan, res)
	s.plan = plan
	return res, true
}

// runPlanned is the full path: scan, key, then the local cache, the
// server's cache, and a remote execution (or a local compile that fills
// the caches).
func (s *session) runPlanned(ctx context.Context, p *compiler.Invocation, tc *toolchain.Toolchain) (Result, error) {
	fn := digest.SHA256
	if !s.noServer() {
		c, err := s.client(ctx)
		if err != nil && !s.defaultIsDown(err) {
			return Result{}, err
		}
		if c != nil {
			// Connect while the dependency scan runs: the handshake
			// (TCP, TLS) is then done by the time the first RPC goes out.
			c.Conn().Connect()
			if fn, err = c.Function(ctx); err != nil {
				return Result{}, err
			}
		}
	}
	if res, ok, err := s.compileFirst(ctx, p, tc, fn); ok {
		return res, err
	}
	spec := s.speculate(ctx, p, tc, fn)
	defer spec.stop()
	spec.holdScan()
	plan, err := planAction(ctx, s.cfg, s.inv, p, tc, fn, s.ph)
	if err != nil {
		return Result{}, err
	}
	s.plan = plan
	s.markKeyed(tc, p, plan, fn)
	plan.watchAssembler = watchesAssembler(p, tc)
	defer plan.discard()
	if s.cfg.OnKey != nil && plan.key != nil {
		s.cfg.OnKey(p.Output, plan.key)
	}
	if plan.facts != nil {
		plan.facts.localFill = s.noServer() || s.cfg.CacheOnly || s.cfg.ServerImplicit
	}
	writeRecord := plan.startRecord(s.cache, s.key, s.inv.Dir)
	s.keepPrediction(spec, plan, tc, p)
	res, ok := serveLocal(s.results, s.inv.Dir, plan)
	if !ok {
		if res, ok = s.serveSpeculated(ctx, spec, plan); !ok {
			res, err = s.serveRemote(ctx, plan)
		}
		if err == nil && res.ExitCode == 0 && !res.Verified && res.Reason == nil {
			keepLocal(s.results, s.inv.Dir, plan, res)
		}
	}
	// A record stands for a result whose account held nothing beyond the
	// scan (see workerlookups.go): the front end serves it from the server.
	if err == nil && !plan.workerBeyond {
		writeRecord()
		s.ph.Mark("record")
	}
	return res, err
}

// serveRemote serves a planned compile through the server, or with no
// server compiles it locally for the local cache.
func (s *session) serveRemote(ctx context.Context, plan *actionPlan) (Result, error) {
	if s.noServer() {
		return compileForCache(ctx, s.inv, plan)
	}
	// Servers log and trace requests by the action they serve.
	ctx = client.WithActionID(ctx, plan.actionDigest.Hash)
	if !s.cfg.CacheOnly {
		plan.missing = askMissing(ctx, s.c, plan)
	}
	cached, err := s.lookup(ctx, plan)
	if err != nil && s.defaultIsDown(err) {
		return compileForCache(ctx, s.inv, plan)
	}
	if err != nil {
		return Result{}, err
	}
	return serve(ctx, s.c, s.cfg, s.inv, plan, cached, s.verify, s.ph)
}

// serve turns the lookup's answer into a result: the hit, or on a miss a
// remote execution (or, cache-only, a local compile that fills the cache).
func serve(ctx context.Context, c *client.Client, cfg Config, inv Invocation, plan *actionPlan, cached *repb.ActionResult, verify bool, ph *stats.Phases) (Result, error) {
	var deliver deliverFunc = materialize
	if verify {
		deliver = verifier(inv)
	}
	skipCache := false
	if cached != nil && complete(cached, plan) {
		res, err := deliver(ctx, c, inv.Dir, plan, cached, stats.CacheHit)
		if status.Code(err) != codes.NotFound {
			return res, err
		}
		// Some servers keep results whose blobs were evicted: that is a
		// miss, and the server's cache must not answer the Execute.
		skipCache = true
	}
	if cfg.CacheOnly {
		return compileAndFill(ctx, c, inv, plan)
	}
	result, err := execute(ctx, c, plan, client.ExecuteOptions{SkipCacheLookup: skipCache})
	if err != nil {
		return Result{}, err
	}
	ph.Mark("execute")
	return deliver(ctx, c, inv.Dir, plan, result, stats.RemoteExecution)
}

// complete reports whether a cached result can stand for a local compile:
// a success that produced every output the compile declares. Anything else
// is treated as a miss.
func complete(r *repb.ActionResult, plan *actionPlan) bool {
	if r.GetExitCode() != 0 {
		return false
	}
	have := map[string]bool{}
	for _, f := range r.GetOutputFiles() {
		have[f.GetPath()] = true
	}
	for _, out := range plan.outputs {
		if !have[out] {
			return false
		}
	}
	return true
}

// uploadAttempts bounds how often a compile uploads its inputs again when
// the server evicted some between FindMissing and Execute: a store under
// pressure may do it more than once, and a few rounds cost less than a
// local compile.
const uploadAttempts = 4

func execute(ctx context.Context, c *client.Client, plan *actionPlan, opts client.ExecuteOptions) (*repb.ActionResult, error) {
	var resp *repb.ExecuteResponse
	err := errors.New("no attempt")
	for attempt := 0; attempt < uploadAttempts && (attempt == 0 || client.IsMissingBlobs(err)); attempt++ {
		blobs := plan.uploads(attempt)
		if err := plan.missing.upload(ctx, c, blobs, attempt); err != nil {
			return nil, fmt.Errorf("upload inputs: %w", err)
		}
		plan.uploaded(blobs)
		resp, err = c.Execute(ctx, plan.actionDigest, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("Execute: %w", err)
	}
	if resp.GetResult() == nil {
		return nil, fmt.Errorf("Execute: response without a result")
	}
	return resp.GetResult(), nil
}

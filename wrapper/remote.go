package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/localcache"
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
	spec := s.speculate(ctx, p, tc, fn)
	defer spec.stop()
	spec.holdScan()
	plan, err := planAction(ctx, s.cfg, s.inv, p, tc, fn, s.ph)
	if err != nil {
		return Result{}, err
	}
	s.plan = plan
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
	if err == nil {
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

// materialize fetches stdout and stderr first and then writes the outputs,
// so that a failure to fetch anything leaves the build tree untouched.
func materialize(ctx context.Context, c *client.Client, dir string, plan *actionPlan, r *repb.ActionResult, outcome stats.Outcome) (Result, error) {
	stdout, stderr, err := remoteStreams(ctx, c, plan, r)
	if err != nil {
		return Result{}, err
	}
	if r.GetExitCode() == 0 {
		if !complete(r, plan) {
			return Result{}, fmt.Errorf("result lacks declared outputs")
		}
		if err := writeOutputs(ctx, c, dir, plan, r); err != nil {
			return Result{}, fmt.Errorf("outputs: %w", err)
		}
	} else {
		removeStale(dir, plan.object)
	}
	// The dependency file comes last, as the compiler writes it even for a
	// compile that fails: make must never see it beside a missing object.
	if plan.depTemp != "" {
		if err := os.Rename(plan.depTemp, filepath.Join(dir, plan.depFile)); err != nil {
			return Result{}, fmt.Errorf("dependency file: %w", err)
		}
	}
	return Result{Outcome: outcome, Stdout: stdout, Stderr: stderr, ExitCode: int(r.GetExitCode()),
		CompileTime: executionTime(r)}, nil
}

// remoteStreams fetches a result's stdout and stderr as the user would see
// them (local paths in place of the placeholder), and refuses a failure
// that is not the source's: one the portable script reports, or one a
// missing input or a broken worker could explain.
func remoteStreams(ctx context.Context, c *client.Client, plan *actionPlan, r *repb.ActionResult) (stdout, stderr []byte, err error) {
	if stdout, err = c.Stdout(ctx, r); err != nil {
		return nil, nil, fmt.Errorf("stdout: %w", err)
	}
	if stderr, err = c.Stderr(ctx, r); err != nil {
		return nil, nil, fmt.Errorf("stderr: %w", err)
	}
	if plan.portable {
		if r.GetExitCode() == scriptFailure && bytes.Contains(stderr, []byte(scriptMessage)) {
			return nil, nil, fmt.Errorf("remote command failed: %s", bytes.TrimSpace(stderr))
		}
		stdout, stderr = plan.localize(stdout), plan.localize(stderr)
	}
	if why := remoteFault(r.GetExitCode(), stderr); why != "" {
		return nil, nil, fmt.Errorf("remote compile failed (exit %d) in a way rex or the worker may have caused: %s",
			r.GetExitCode(), why)
	}
	return stdout, stderr, nil
}

// writeOutputs writes every output of r under dir. Portable outputs that
// name paths are fetched first and written last, with the local root in
// place of the placeholder.
func writeOutputs(ctx context.Context, c *client.Client, dir string, plan *actionPlan, r *repb.ActionResult) error {
	if !plan.portable || len(plan.pathOutputs) == 0 {
		return c.DownloadOutputs(ctx, r, dir)
	}
	rewrite := map[string]bool{}
	for _, out := range plan.pathOutputs {
		rewrite[out] = true
	}
	rest := proto.Clone(r).(*repb.ActionResult)
	rest.OutputFiles = nil
	texts := map[string][]byte{}
	for _, f := range r.GetOutputFiles() {
		if !rewrite[f.GetPath()] {
			rest.OutputFiles = append(rest.OutputFiles, f)
			continue
		}
		d, err := digest.FromProto(f.GetDigest())
		if err != nil {
			return fmt.Errorf("%s: %w", f.GetPath(), err)
		}
		if texts[f.GetPath()], err = c.ReadBlob(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", f.GetPath(), err)
		}
	}
	if err := c.DownloadOutputs(ctx, rest, dir); err != nil {
		return err
	}
	for _, out := range plan.pathOutputs {
		if data, ok := texts[out]; ok {
			if err := replaceFile(filepath.Join(dir, out), plan.localize(data)); err != nil {
				return err
			}
		}
	}
	return nil
}

// localize puts the local root where a portable result has the placeholder.
func (plan *actionPlan) localize(b []byte) []byte {
	if plan.hermetic {
		b = bytes.ReplaceAll(b, []byte(hermeticRoot+"/"), []byte(plan.localRoot+"/"))
	}
	return bytes.ReplaceAll(b, []byte(rootPlaceholder), []byte(plan.localRoot))
}

// portabilize is localize's inverse, for results compiled locally. With
// "/" as the root every absolute path is under it: the text is kept as it
// is, which localize leaves unchanged.
func (plan *actionPlan) portabilize(b []byte) []byte {
	if plan.localRoot == "" {
		return b
	}
	return bytes.ReplaceAll(b, []byte(plan.localRoot+"/"), []byte(rootPlaceholder+"/"))
}

// replaceFile writes data to path atomically, with the mode the compiler
// would have given it.
func replaceFile(path string, data []byte) error {
	return atomicfile.Write(path, data, atomicfile.OutputMode(false))
}

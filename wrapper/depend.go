package wrapper

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/dirlist"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/lookups"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// A miss pays for a dependency scan before its compile: a kernel source's
// scan costs a sixth of its compile. When the compile runs here anyway (no
// server, or cache-only) and no compile before it keyed its source's
// content (here, or by the server's marker of it), no result can wait
// under its key, since every key covers the source: the scan would only
// find the miss. Such a compile runs at once, watched by the
// lookup library (see package lookups), and its compiler's account of the
// files it read and the paths it looked for in vain stands for the scan:
// the key is planned from it afterwards. That account is the compile's
// own, so what gcc's directives-only scan cannot see (a _Pragma("once"), a
// __has_include pasted from a macro's parameters) is no blind spot here.
// The key hashes the files after the compile read them: the caches are
// filled only when each was unchanged since well before the compile began.

// compileFirst runs a compile whose source rex never keyed, and fills the
// local cache and the record from its account, and cache-only the remote
// cache. ok is false when the compile is not one for it (the full path
// then runs, and nothing was written); otherwise res is the compile's,
// with Reason set when a cache was left unfilled. Cache-only, a compile
// whose account cannot key it (an input changed moments before it began,
// a read the full path's checks must weigh) is not one for it, though it
// ran: left unfilled, the shared cache would miss it for every client, and
// for good where each build is a fresh one (a CI's, whose generated
// headers are always new to the compiles that read them first).
func (s *session) compileFirst(ctx context.Context, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function) (res Result, ok bool, err error) {
	// With no server, or cache-only, a miss compiles here anyway.
	local := s.noServer()
	if !s.cfg.direct() || s.cache == nil || s.key == "" || s.verify || !local && (!s.cfg.CacheOnly || s.c == nil) ||
		!assemblerWatched(p, tc) || !recordable(p, tc, s.inv.Dir) {
		return Result{}, false, nil
	}
	source := sourcePath(s.inv.Dir, p)
	if st, err := dirlist.StatOf(source); err != nil || st.Racy(time.Now()) {
		// Its account would not be trusted (see planFromCompile).
		return Result{}, false, nil
	}
	seen, ok := s.sourceKeyOf(tc, p)
	if !ok || s.cache.Has(localcache.Scans, seen) || !local && !s.neverKeyedRemotely(ctx, fn, seen) {
		return Result{}, false, nil
	}
	lib := lookups.Prepare(ctx, s.cfg.StateDir, tc.Path, tc.Identity, s.inv.Env)
	if lib == nil {
		return Result{}, false, nil
	}
	argv, watch, err := watchAssembler(&actionPlan{watchAssembler: watchesAssembler(p, tc)}, s.inv.Argv)
	if err != nil {
		return Result{}, false, nil
	}
	listed, ownList, err := dependencyList(p, &argv)
	if err != nil {
		watch.discard()
		return Result{}, false, nil
	}
	if ownList {
		defer os.Remove(listed)
	}
	inv := s.inv
	inv.Argv = argv
	var finish func() (lookups.Log, error)
	start := time.Now()
	res, err = runLocally(ctx, inv, func(cmd *exec.Cmd) (err error) {
		finish, err = lib.Attach(cmd, p.Source)
		return err
	})
	if err != nil {
		watch.discard()
		return Result{}, true, err
	}
	told, toldErr := finish()
	s.ph.Mark("compile")
	if res.ExitCode != 0 {
		watch.discard()
		return res, true, nil
	}
	plan, err := s.planFromCompile(ctx, p, tc, fn, told, toldErr, absolute(s.inv.Dir, []string{listed})[0], start)
	if err != nil {
		watch.discard()
		if !local {
			return Result{}, false, nil // cache-only: see compileFirst
		}
		if !errors.Is(err, errFresh) {
			// The full path, whose checks may key it, takes the next.
			s.cache.Put(localcache.Scans, seen, nil)
		}
		res.Reason = fmt.Errorf("%w: %v", errNotFilled, err)
		return res, true, nil
	}
	s.plan = plan
	defer plan.discard()
	if err := watch.check(inv.Dir, plan); err != nil {
		if !local {
			return Result{}, false, nil // cache-only: see compileFirst
		}
		s.cache.Put(localcache.Scans, seen, nil)
		res.Reason = err
		return res, true, nil
	}
	if s.cfg.OnKey != nil && plan.key != nil {
		s.cfg.OnKey(p.Output, plan.key)
	}
	writeRecord := plan.startRecord(s.cache, s.key, s.inv.Dir)
	keepLocal(s.results, s.inv.Dir, plan, res)
	s.cache.Put(localcache.Scans, seen, nil)
	writeRecord()
	s.ph.Mark("record")
	if !local {
		plan.addMarker(fn, seen)
		if err := fill(ctx, s.c, s.inv.Dir, plan, res); err != nil {
			res.Outcome = stats.LocalFallback
			res.Reason = fmt.Errorf("fill the remote cache: %w", explainRefusal(err))
		}
	}
	return res, true, nil
}

// dependencyList returns where the compile lists the files it included:
// its own dependency file, or one that argv is made to write (own). The
// list is what tells an include from the other files a compile reads.
func dependencyList(p *compiler.Invocation, argv *[]string) (path string, own bool, err error) {
	if p.DepFile != "" {
		return p.DepFile, false, nil
	}
	f, err := os.CreateTemp("", "rex-deps-*.d")
	if err != nil {
		return "", false, err
	}
	f.Close()
	*argv = append(slices.Clip(*argv), "-MD", "-MF", f.Name())
	return f.Name(), true, nil
}

// errNotFilled says a compile that ran at once left the caches unfilled.
var errNotFilled = errors.New("the cache is not filled")

// errFresh says a file the compile read changed moments before it began
// or while it ran: its content now need not be what the compile read.
var errFresh = errors.New("changed moments before or while the compile ran")

// planFromCompile plans the action from the compile's account, told (or
// the error that kept it), and its dependency list, and checks that every
// file the key hashed was unchanged since well before start, when the
// compile began.
func (s *session) planFromCompile(ctx context.Context, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function, told lookups.Log, toldErr error, depList string, start time.Time) (*actionPlan, error) {
	if toldErr != nil {
		return nil, toldErr
	}
	if !told.Observed {
		return nil, errors.New("the compiler gave no account of its lookups")
	}
	data, err := os.ReadFile(depList)
	if err != nil {
		return nil, fmt.Errorf("its dependency list: %w", err)
	}
	listed, err := depscan.ParseRule(data)
	if err != nil {
		return nil, fmt.Errorf("its dependency list: %w", err)
	}
	observed, lookedIn, err := observedScan(s.inv.Dir, p.Source, told, listed, tc.Contains)
	if err != nil {
		return nil, err
	}
	// The key takes the search list where a scan's does (the probes'
	// places, the layout): the same list, or a copy of the tree that a scan
	// keys would miss what this compile keys.
	req := depscan.Request{Compiler: tc.Path, Inv: p, Dir: s.inv.Dir, Env: s.inv.Env}
	if observed.Search, err = depscan.Search(ctx, req); err != nil {
		return nil, fmt.Errorf("its include search list: %w", err)
	}
	plan, err := planObserved(ctx, s.cfg, s.inv, p, tc, fn, s.ph, observed, lookedIn, start)
	if err != nil {
		return nil, err
	}
	if path := unexplained(told, plan.facts.probed); path != "" {
		plan.discard()
		return nil, fmt.Errorf("the compile looked for %s, which no include or probe of its text names", path)
	}
	// The stamps were taken after the compile, before the hashing.
	for _, path := range plan.inputPaths {
		st := plan.inputStamps[path].stat
		if !st.exists || st.ctime >= start.Add(-dirlist.RacyWindow).UnixNano() {
			plan.discard()
			return nil, fmt.Errorf("%s %w", path, errFresh)
		}
	}
	return plan, nil
}

// observedScan is the compile's account as a scan's result, the files it
// read, the source first, and the directories where it looked in vain,
// which stand for its search list in its record (see searchPlaces). Each
// file of the project it found must be one it included, as its dependency
// list (listed) says: it also opens a copy of a header read once to skip
// it, a __has_include's find, a #pragma GCC dependency's file (whose
// mtime, not content, counts). Those are a matter of the full path's
// checks, which read the text and walk the search list: such a compile is
// not keyed from its account. So is one that read a precompiled header.
func observedScan(dir, source string, told lookups.Log, listed []string, isToolchain func(string) bool) (_ *depscan.Result, lookedIn []string, _ error) {
	included := map[string]bool{}
	for _, l := range absolute(dir, listed) {
		included[filepath.Clean(l)] = true
	}
	deps := []string{source}
	src := filepath.Clean(absolute(dir, []string{source})[0])
	seen := map[string]bool{}
	for i, read := range absolute(dir, told.Found) {
		clean := filepath.Clean(read)
		if seen[read] || clean == src {
			continue
		}
		seen[read] = true
		switch {
		case strings.HasSuffix(read, ".gch") || strings.HasSuffix(read, ".pch"):
			return nil, nil, fmt.Errorf("the compile read the precompiled header %s", told.Found[i])
		case !included[clean] && !isToolchain(clean):
			return nil, nil, fmt.Errorf("the compile read %s, which it did not include", told.Found[i])
		}
		deps = append(deps, told.Found[i])
	}
	var dirs []string
	have := map[string]bool{}
	for _, missing := range told.Missing {
		if d := filepath.Dir(missing); !have[d] {
			have[d] = true
			dirs = append(dirs, d)
		}
	}
	return &depscan.Result{Deps: deps, Full: true, Lookups: told}, dirs, nil
}

// unexplained returns a path the compile looked for in vain that a scan
// would not have looked for, or "". A record lists it, but once it appears
// the full path's scan, which never asks for it, makes the same key: the
// result under it must not depend on it. A scan looks for each header it
// includes in every directory before the one that holds it (the base name
// of a file read), for each file's precompiled form (x.h.gch), for the
// names the text's probes name (probed, the places they look), and before
// it opens the source for the places of its include directories and
// toolchain (told.Placed). Anything else was asked while compiling: the
// file a #line names, read for a diagnostic's source line; a probe pasted
// from a macro's parameters, which the text does not show (the full
// path's scan, whose lookups are told too, sees that one).
func unexplained(told lookups.Log, probed []string) string {
	names := map[string]bool{}
	for _, f := range slices.Concat(told.Found, probed) {
		names[filepath.Base(f)] = true
	}
	placed := map[string]bool{}
	for _, p := range told.Placed {
		placed[p] = true
	}
	for _, path := range told.Missing {
		base := filepath.Base(path)
		for _, ext := range []string{".gch", ".pch"} {
			base = strings.TrimSuffix(base, ext)
		}
		if !names[base] && !placed[path] {
			return path
		}
	}
	return ""
}

// assemblerWatched says whether what the compile's assembler reads is
// watched: GNU as under gcc lists it (see asmreads.go), and clang's
// integrated assembler is clang, whose lookups its account holds.
func assemblerWatched(p *compiler.Invocation, tc *toolchain.Toolchain) bool {
	if !tc.Clang() {
		return watchesAssembler(p, tc)
	}
	return !slices.ContainsFunc(p.Args, func(a string) bool { return a == "-no-integrated-as" || a == "-fno-integrated-as" })
}

// sourceKey names what a compile of the source's content with the
// toolchain keyed: a result under any key for this content may exist
// once the name is in the local cache. ok is false when the source cannot
// be read.
func sourceKey(tc *toolchain.Toolchain, path string) (string, bool) {
	sum, err := digest.BLAKE3.FromFile(path)
	if err != nil {
		return "", false
	}
	return digest.BLAKE3.FromBytes([]byte("rex source v1\x00" + tc.Identity + "\x00" + sum.Hash)).Hash, true
}

// sourceKeyOf is sourceKey of the compile's source, hashed once for the
// compile: its first compile, its note, its marker and a speculation's
// marker all name it.
func (s *session) sourceKeyOf(tc *toolchain.Toolchain, p *compiler.Invocation) (string, bool) {
	s.sourceOnce.Do(func() { s.sourceName, s.sourceOK = sourceKey(tc, sourcePath(s.inv.Dir, p)) })
	return s.sourceName, s.sourceOK
}

// markKeyed notes that a compile of the source was keyed: its next compile
// takes the full path, which may find the result. Where a server keeps the
// result, the plan also uploads the source's marker, which tells every
// other client the same (see neverKeyedRemotely).
func (s *session) markKeyed(tc *toolchain.Toolchain, p *compiler.Invocation, plan *actionPlan, fn digest.Function) {
	note := s.cache != nil && s.cfg.direct()
	if !note && s.noServer() {
		return
	}
	key, ok := s.sourceKeyOf(tc, p)
	if !ok {
		return
	}
	if note && !s.cache.Has(localcache.Scans, key) {
		s.cache.Put(localcache.Scans, key, nil)
	}
	if !s.noServer() {
		plan.addMarker(fn, key)
	}
}

// sourceMarker is the blob whose presence in a server's CAS says that a
// client keyed the source content seen names (see sourceKey) there: a
// result under one of its keys may be in that server's cache. It is only
// ever a reason to scan before compiling: a marker forged, or lost to
// eviction, costs a scan or a hit, never a wrong result.
func sourceMarker(fn digest.Function, seen string) client.Blob {
	data := []byte("rex keyed source v1 " + seen + "\n")
	return client.Blob{Digest: fn.FromBytes(data), Data: data}
}

// addMarker has the source's marker uploaded with the plan's Action and
// Command, before its result is stored.
func (plan *actionPlan) addMarker(fn digest.Function, seen string) {
	n := len(plan.messages)
	plan.blobs = append(plan.blobs, sourceMarker(fn, seen))
	plan.messages = plan.blobs[len(plan.blobs)-n-1:]
}

// neverKeyedRemotely says whether the server's CAS lacks the source's
// marker: no client keyed the content there, so no result of it waits in
// its cache and a cache-only compile may run before its scan. A server
// that cannot say is taken to have it.
func (s *session) neverKeyedRemotely(ctx context.Context, fn digest.Function, seen string) bool {
	m := sourceMarker(fn, seen)
	missing, err := s.c.FindMissing(ctx, []digest.Digest{m.Digest})
	return err == nil && len(missing) == 1
}

// watchesAssembler says whether a local compile that fills a cache lists
// what its assembler read (see asmreads.go).
func watchesAssembler(p *compiler.Invocation, tc *toolchain.Toolchain) bool {
	return p.Family == compiler.GCC && !tc.Clang() && tc.AsDeps
}

// discard removes the assembler's list of a compile whose cache is not
// filled.
func (w asmWatch) discard() {
	if w.file != "" {
		os.Remove(w.file)
	}
}

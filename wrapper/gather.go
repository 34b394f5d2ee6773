package wrapper

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/lookups"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// gatherInputs runs the dependency scan (which also writes the dep file,
// to plan.depTemp), or takes a predicted one (see speculate.go), and collects every input of the compile: the files it
// read, split into toolchain and project files, and the project files its
// probes found. Each input is stamped before it is read (see inputstat.go).
func (plan *actionPlan) gatherInputs(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function, digests *digestCaches, ph *stats.Phases) (inputSet, depscan.SearchList, error) {
	var set inputSet
	scan := plan.predicted
	if plan.observed != nil {
		scan = plan.observed
		plan.lookups, plan.source = nil, p.Source
	}
	if scan == nil {
		if p.DepFile != "" {
			plan.depTemp = depTempPath(inv.Dir, p.DepFile)
		}
		var err error
		plan.lookups, plan.source = lookups.Prepare(ctx, cfg.StateDir, tc.Path, tc.Identity, inv.Env), p.Source
		scan, err = depscan.Scan(ctx, depscan.Request{Compiler: tc.Path, Inv: p, Dir: inv.Dir, Env: inv.Env, DepFile: plan.depTemp, Lists: plan.lists, Lookups: plan.lookups})
		if err != nil {
			// Most often a missing header or a preprocessor error: the
			// local compile prints the exact diagnostics.
			return set, depscan.SearchList{}, localf("dependency scan: %v", err)
		}
		plan.scanned = scan
		defer scan.Close() // its output serves addProbes alone
	}
	ph.Mark("scan")
	incDirs, existingIncDirs, err := checkIncludeDirs(inv.Dir, p, inv.Env)
	if err != nil {
		return set, scan.Search, err
	}
	var pch []string
	if plan.refuses() {
		pch = pchPlaces(inv.Dir, p, scan.Deps, scan.Search)
		if found := firstPrecompiled(pch, plan.lists); found != "" {
			return set, scan.Search, localf("gcc may read the precompiled header %s instead of a header the source includes", found)
		}
	}
	if plan.facts != nil {
		plan.facts.deps, plan.facts.search = scan.Deps, scan.Search
		plan.facts.includeDirs, plan.facts.pch = incDirs, pch
		switch {
		case plan.depTemp != "":
			plan.facts.dep, _ = os.ReadFile(plan.depTemp)
		case plan.observed != nil && p.DepFile != "":
			// The compile wrote it in place.
			plan.facts.dep, _ = os.ReadFile(absolute(inv.Dir, []string{p.DepFile})[0])
		}
	}
	set, err = classify(inv.Dir, tc, scan.Deps)
	if err != nil {
		return set, scan.Search, err
	}
	set.includeDirs = existingIncDirs
	plan.inputPaths = set.paths()
	plan.inputStamps = stampsFor(plan.inputPaths)
	if err := digestSystemFiles(digests, set.system, plan.inputStamps); err != nil {
		return set, scan.Search, localf("%v", err)
	}
	if err := digestProjectFiles(digests, fn, set.project, plan.inputStamps); err != nil {
		return set, scan.Search, localf("%v", err)
	}
	if err := plan.addProbes(ctx, cfg, inv, p, &set, scan, tc, fn); err != nil {
		return set, scan.Search, err
	}
	if scan != plan.predicted {
		copies := plan.once
		if mayRunOnWorker(cfg) {
			copies = nil
		}
		if err := checkLookups(inv.Dir, p.Source, set, copies, scan.Lookups); err != nil {
			return set, scan.Search, err
		}
		plan.scanLookups = scan.Lookups
		if plan.facts != nil {
			plan.facts.lookedFor = absolute(inv.Dir, scan.Lookups.Missing)
			if plan.facts.compiled {
				plan.facts.metDirs = absolute(inv.Dir, searchedPast(scan.Lookups))
			}
		}
	}
	return set, scan.Search, nil
}

// addProbes checks the twins and copies of headers read once (see
// twins.go, oncereach.go), answers the probes (see probes.go) and adds the
// project files they find to set. The directive cache serves all three.
func (plan *actionPlan) addProbes(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, set *inputSet, scan *depscan.Result, tc *toolchain.Toolchain, fn digest.Function) error {
	cwd := inv.Dir
	cache := loadDirectiveCache(cfg.StateDir)
	defer cache.save()
	if plan.refuses() {
		a, b, err := onceTwins(*set, fn, cache, p.Args)
		switch {
		case err != nil:
			return err
		case a != "":
			return localf("%s and %s have the same content and may be read once: the compiler tells such copies apart by stat data, which a worker's do not keep", a, b)
		}
	}
	var once map[int64][]inputFile
	var err error
	if scan == plan.observed {
		// The copies it skipped are among its lookups.
		once, err = readOnceBySize(*set, cache, fn)
	} else {
		once, err = checkOnceCopies(cwd, p, *set, scan, tc, cache, fn, mayRunOnWorker(cfg), cfg.Hermetic)
	}
	if err != nil {
		return err
	}
	plan.once = once
	if plan.facts != nil {
		plan.facts.once = once
	}
	defined := func(names []string) (map[string]bool, error) { return scan.Defined(ctx, names) }
	if scan == plan.predicted || scan == plan.observed {
		// A prediction lists no macros. Its action serves only when the
		// real scan's plan, which checks them, makes the same (see
		// confirm): the macros are those of the command and the files,
		// which the key covers. An observed compile's probes are among
		// its lookups, which its account tells.
		defined = func([]string) (map[string]bool, error) { return nil, nil }
	}
	hits, places, err := probeHits(cwd, *set, scan.Search, cache, fn, scanMayMiss(scan, p), clockFixed(p, tc, inv.Env), p.Args, defined)
	if err != nil {
		return err
	}
	if plan.facts != nil {
		plan.facts.probed = places
	}
	if added := set.addProbeHits(hits, tc.Contains); len(added) > 0 {
		if c, of := probeHitCopy(added, once); c != "" {
			return localf("__has_include finds %s, a copy of %s, a header read once: a worker may stage the two as files of their own mtimes, and read the copy", c, of)
		}
		plan.inputPaths = append(plan.inputPaths, added...)
		for p, st := range stampsFor(added) {
			plan.inputStamps[p] = st
		}
	}
	return nil
}

// mayRunOnWorker says whether a compile may run on a worker, which has
// only the keyed files: there is a server, and it is not only a cache.
func mayRunOnWorker(cfg Config) bool { return cfg.Client.Server != "" && !cfg.CacheOnly }

// scanMayMiss says which spellings in a file the scan read may have hidden
// a directive from it (see depscan/hidden.go): none when its preprocessing
// carried out every directive; each of the others where the compile's
// language reads it otherwise than the scan did.
func scanMayMiss(scan *depscan.Result, p *compiler.Invocation) func(string) bool {
	if scan.Full {
		return nil
	}
	counts := map[string]bool{
		depscan.HiddenTrigraph:  p.MayReadTrigraphs(),
		depscan.HiddenRawString: p.MayLackRawStrings(),
		// The mode reads quotes in assembly as the compile does.
		depscan.HiddenQuote:    p.Lang != "assembler-with-cpp",
		depscan.HiddenDigitSep: p.Lang != "assembler-with-cpp" && p.MayLackDigitSeparators(),
	}
	return func(hidden string) bool {
		c, ok := counts[hidden]
		return c || !ok
	}
}

// checkOnceCopies keeps the compile local when an include directive may
// resolve to an unlisted copy of a header read once (see oncereach.go): a
// worker would compile another header, or, when remoteExec says the
// compile will run on a worker if it can, fail. (Else the local compile
// fills the caches, and its record states the copy: see oncecopies.go.)
// In hermetic mode a copy among the toolchain's files counts too. It
// returns the headers that may be read once, by size.
func checkOnceCopies(cwd string, p *compiler.Invocation, set inputSet, scan *depscan.Result, tc *toolchain.Toolchain, cache *directiveCache, fn digest.Function, remoteExec, hermetic bool) (map[int64][]inputFile, error) {
	chk := onceCopyCheck{cwd: cwd, search: scan.Search, deps: scan.Deps, forced: p.OptionValues("-include", "-imacros"),
		noIncluderDir: slices.Contains(p.OptionValues("-I"), "-"), isToolchain: tc.Contains}
	if hermetic {
		// The worker has only the toolchain files the compile read.
		chk.isToolchain = func(string) bool { return false }
	}
	once, err := readOnceBySize(set, cache, fn)
	if err != nil || len(once) == 0 {
		return once, err
	}
	copyPath, of, later, err := reachableOnceCopy(set, chk, cache, fn, once)
	switch {
	case err != nil:
		return nil, err
	case later:
		return nil, localf("%s is a copy of %s, a header read once: the compiler skips it and -M does not list it, so a worker that lacks it would search on for another header of its name", copyPath, of)
	case copyPath != "" && remoteExec:
		return nil, localf("%s is a copy of %s, a header read once: the compiler skips it and -M does not list it, so a worker's compile would fail for want of it", copyPath, of)
	}
	return once, nil
}

// refuses says whether the plan makes the checks that can only refuse the
// compile (a precompiled header that gcc may read instead of a header, two
// copies of one header that it may read once). The scan's plan makes them;
// a speculation's skips them, as it is used only when the scan's plan,
// having made them, leads to the very same action.
func (plan *actionPlan) refuses() bool { return plan.predicted == nil }

// widenForCompile widens the root to hold everything the compile names
// outside the toolchain: the cwd, its project inputs, its outputs, and every
// directory or file its options and include variables name (whether it
// exists or not: a worker must not find one of its own there).
func widenForCompile(l *layout, p *compiler.Invocation, set inputSet, search depscan.SearchList, env map[string]string) error {
	var named []string
	p.RemoteArgs(func(path string) string { named = append(named, path); return path })
	named = append(named, search.Quote...)
	named = append(named, search.Angle...)
	for _, name := range includePathEnv {
		if v, ok := env[name]; ok {
			named = append(named, filepath.SplitList(v)...)
		}
	}
	for _, f := range set.project {
		l.widen(f.clean)
	}
	for _, n := range named {
		if n == "" {
			continue
		}
		abs := l.abs(n)
		switch {
		case l.isToolchain(abs) && !filepath.IsAbs(n):
			return localf("%s names the toolchain by a relative path", n)
		case l.isToolchain(abs):
		case l.holdsToolchain(abs):
			return localf("%s holds toolchain directories", n)
		default:
			l.widen(abs)
		}
	}
	return nil
}

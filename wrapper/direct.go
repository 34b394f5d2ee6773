package wrapper

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"time"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/localhit"
	"github.com/rexbuild/rex/lookups"
	"github.com/rexbuild/rex/manifest"
	"github.com/rexbuild/rex/toolchain"
)

// Direct mode skips the dependency scan of a compile that rex has seen
// before: a record (package manifest) per compile context lists what the
// compile read and where the compiler searched and found nothing; while all
// of that holds, the action digest is the one recorded, and its result is
// served without running the compiler or reading a header. Any doubt (a
// fact that does not hold, a record that could not be written soundly) is
// a scan, as without direct mode.

// directContext is the key of a compile's record (localhit.Context).
func directContext(cfg Config, inv Invocation, args []string, tc *toolchain.Toolchain, env map[string]string) string {
	return localhit.Context{
		Identity: tc.Identity, Compiler: tc.Path, Dir: inv.Dir,
		ProjectRoot: cfg.ProjectRoot, Function: cfg.Client.DigestFunction.Name(), CacheOnly: cfg.CacheOnly,
		Args: args, Argv: inv.Argv, Platform: cfg.Platform, Env: env,
	}.Key()
}

// recordable says whether a record can state what the compile depends
// on. clang's driver picks the newest GCC installation under a --sysroot
// (or -isysroot) by listing its directories, and takes that one's C++
// headers: outside the toolchain, a newer one made there later would go
// unseen by a record, which states no such listing. A scan runs the
// driver again.
func recordable(p *compiler.Invocation, tc *toolchain.Toolchain, cwd string) bool {
	if !tc.Clang() {
		return true
	}
	for _, root := range p.OptionValues("--sysroot", "--sysroot=", "-isysroot") {
		if !tc.Contains(filepath.Clean(absolute(cwd, []string{root})[0])) {
			return false
		}
	}
	return true
}

// directPlan returns the plan a record leads to when its facts hold, with
// the dependency file written aside as the scan would have, or nil.
func directPlan(cache *localcache.Store, key, dir string) *actionPlan {
	r := localhit.Lookup(cache, key, dir)
	if r == nil {
		return nil
	}
	return &actionPlan{actionDigest: r.Action, outputs: r.Outputs, object: r.Object, depFile: r.DepFile,
		depTemp: r.DepTemp, pathOutputs: r.PathOutputs, portable: r.Portable, localRoot: r.LocalRoot, function: r.Function,
		fromRecord: true}
}

// directFacts is what the full path learns that a record needs.
type directFacts struct {
	since  time.Time
	deps   []string // as the compiler printed them
	search depscan.SearchList
	// lookedIn are the directories where an observed compile looked in
	// vain: its record's search list (see depend.go).
	lookedIn []string
	probed   []string // every place a __has_include looked
	// lookedFor are the paths the scan's compiler looked for and did not
	// find, as it told (see package lookups): nil when it did not.
	lookedFor []string
	// metDirs are the directories the scan's compiler met where it looked
	// for a file, and searched on past (see searchedPast).
	metDirs []string
	// compiled says lookedFor and metDirs are the compile's own account,
	// whole (see depend.go): the record states those places and no others.
	compiled bool
	dep      []byte // the dependency file the scan wrote
	// includeDirs are the include directories the compile names: what
	// each is (a directory, or nothing) is a fact too (see incdirs.go).
	includeDirs []string
	// pch are the places where gcc would have found a precompiled header
	// (see pch.go): none exists.
	pch []string
	// localFill says the result may come from a local compile (no
	// server, or one that may be down, or cache-only): only a record then
	// stands between a header read once's unlisted copy and a stale
	// object (see oncecopies.go).
	localFill bool
	// once are the files the compile read that may be read once, by
	// size (see readOnceBySize): none, and no copy can be skipped.
	once map[int64][]inputFile
}

// startRecord gathers the compile's record while the compile goes on (a
// lookup, a remote execution), and returns the function that writes it
// once the compile is known to have succeeded. Nothing is written when the
// facts cannot be stated soundly.
func (plan *actionPlan) startRecord(cache *localcache.Store, key, cwd string) (write func()) {
	f := plan.facts
	if cache == nil || key == "" || f == nil || plan.actionDigest.IsZero() {
		return func() {}
	}
	done := make(chan []byte, 1)
	go func() { done <- plan.gatherRecord(cache, key, cwd) }()
	return func() {
		if data := <-done; data != nil {
			cache.Put(localcache.Manifests, key, data)
		}
	}
}

// gatherRecord states the facts and returns the record's new content, or
// nil.
func (plan *actionPlan) gatherRecord(cache *localcache.Store, key, cwd string) []byte {
	f := plan.facts
	reads, ok := plan.readFacts(plan.inputs)
	if !ok {
		return nil
	}
	search := f.search
	if f.lookedIn != nil {
		search = depscan.SearchList{Angle: f.lookedIn}
	}
	places := searchPlaces(cwd, f.deps, search, f.lookedFor)
	if f.localFill {
		copies, ok := onceCopies(plan.inputs, places.Dirs, f.once)
		if !ok {
			return nil
		}
		reads = append(reads, copies...)
	}
	if f.compiled && f.lookedFor != nil {
		// The compile's behaviour is the content of what it read and the
		// answers to what it looked for: nothing there, or a directory it
		// searched on past. A file made anywhere else leaves it as it was.
		// The product of the search list and the names read is a scan's
		// guess at those lookups (a kernel compile's holds some 87,000
		// places, where the compiler looked in about 1,500), and stating
		// it cost more than the rest of the record.
		places = manifest.Places{Paths: slices.Concat(f.lookedFor, f.metDirs)}
	}
	places.Paths = slices.Concat(places.Paths, f.probed, f.includeDirs, f.pch)
	e, ok := manifest.Gather(f.since, reads, places, plan.lists)
	if !ok {
		return nil
	}
	r := localhit.Replay{Function: plan.function, Outputs: plan.outputs, Object: plan.object, DepFile: plan.depFile,
		PathOutputs: plan.pathOutputs, Portable: plan.portable, LocalRoot: plan.localRoot}
	if plan.depFile != "" {
		if f.dep == nil {
			return nil
		}
		r.Dep = f.dep
	}
	e.Action = plan.actionDigest.String()
	e.Replay, _ = json.Marshal(r)
	old, _ := cache.Get(localcache.Manifests, key)
	return manifest.Add(old, e)
}

// readFacts states the files the key hashed, with the stamps taken before
// the hashing and the digests the key took (a project file is read again
// only when its content is another's, whose digest the tree kept). A file
// that changed too recently for its stat to tell makes the record unsound:
// none is made. A file changed after its stamp needs no second stat here:
// its stat no longer matches the stamp, and a lookup then compares its
// content with the digest stated, the content the key covered.
func (plan *actionPlan) readFacts(set inputSet) ([]manifest.File, bool) {
	reads := make([]manifest.File, 0, len(set.system)+len(set.project))
	add := func(path string, d digest.Digest, fn digest.Function) bool {
		st, ok := plan.inputStamps[path]
		if !ok || !st.stat.exists || st.racy {
			return false
		}
		reads = append(reads, manifest.File{Path: path, Stamp: st.stat.stamp(), Hash: d, Function: fn})
		return true
	}
	for _, f := range set.system {
		if !add(f.path, f.digest, digest.BLAKE3) {
			return nil, false
		}
	}
	keyed, fn := plan.keyedDigests()
	for _, f := range set.project {
		d, ok := keyed[f.read]
		if !ok {
			var err error
			if d, err = fn.FromFile(f.read); err != nil {
				return nil, false
			}
		}
		if !add(f.read, d, fn) {
			return nil, false
		}
	}
	return reads, true
}

// keyedDigests returns the digests the input tree took of the project
// files, by where they were read, and the function that took them.
func (plan *actionPlan) keyedDigests() (map[string]digest.Digest, digest.Function) {
	fn, err := digest.FunctionFromName(plan.function)
	if err != nil {
		return nil, digest.BLAKE3
	}
	keyed := make(map[string]digest.Digest, len(plan.blobs))
	for _, b := range plan.blobs {
		if b.Path != "" {
			keyed[b.Path] = b.Digest
		}
	}
	return keyed, fn
}

func (s fileStat) stamp() manifest.Stamp {
	return manifest.Stamp{Size: s.size, Mtime: s.mtime, Ctime: s.ctime, Dev: s.dev, Ino: s.ino}
}

// searchedPast returns the directories the compiler met that are named
// like a file it looked for, found or not: where it looked for that file
// and searched on. What each is counts as much as a file's absence. The
// other directories it met are no place of a file: the include
// directories (facts of their own, see incdirs.go), and the working
// directory, which gcc compares with $PWD, and which a compile writing
// its object there leaves too fresh to state.
func searchedPast(told lookups.Log) []string {
	names := map[string]bool{}
	for _, p := range slices.Concat(told.Found, told.Missing) {
		names[filepath.Base(p)] = true
	}
	var dirs []string
	for _, d := range told.Dirs {
		if names[filepath.Base(d)] {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

package wrapper

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// Absence is an input. __has_include asks whether a header exists, and
// no dependency scan lists a header it did not open: yet a header that
// appears (or disappears) where the compile probes changes its output. So
// every probe of every file the compile reads is answered here, in every
// directory the compiler could search for it, and what exists there is an
// input: a project file is uploaded (its existence is then part of the
// input tree, and a worker's __has_include finds it too), a toolchain file
// is named in the salt. The probed places follow from the key (the names
// from the files' contents, the directories from the options and the
// toolchain), so a header that later appears there changes the key.
//
// A file that reads what no scan lists (.incbin, #embed, __TIMESTAMP__), or
// probes a name only preprocessing can tell, keeps the compile local. So
// does one that uses the compile's own date or time (__DATE__, __TIME__)
// unless SOURCE_DATE_EPOCH fixes them: no key covers the clock, and a hit
// would replay the date of an older compile.

// probeHits answers the probes of the compile's files. It returns the
// existing places (clean absolute paths), or a local error. hidden, when
// set, says whether a file's Hidden spelling may have hidden a directive
// from the scan (see depscan/hidden.go). clockFixed says that the
// compile's date and time come from the environment, which the key covers.
//
// args are the compile's arguments and defined, when set, says which names
// the scan saw defined as macros (see depscan.Result.Defined), for the
// uses of probe wrappers (see probewrappers.go).
func probeHits(cwd string, set inputSet, search depscan.SearchList, cache *directiveCache, fn digest.Function, hidden func(string) bool, clockFixed bool, args []string, defined macrosDefined) (hits, places []string, err error) {
	found := map[string]bool{}
	probe := func(read string, p depscan.Probe) {
		for _, place := range probePlaces(cwd, filepath.Dir(read), p, search) {
			places = append(places, place)
			// A directory is no header: the compiler searches on.
			if st, err := os.Stat(place); err == nil && !st.IsDir() {
				found[filepath.Clean(place)] = true
			}
		}
	}
	wrappers := map[string]depscan.Wrapper{}
	var expanded []string // see checkExpansions
	visit := func(read string, d depscan.Directives) error {
		if why := d.LocalReason(); why != "" {
			return localf("%s: %s", read, why)
		}
		if d.Clock != "" && !clockFixed {
			return localf("%s: %s gives the time of the compile, which no key covers (SOURCE_DATE_EPOCH fixes it for gcc)", read, d.Clock)
		}
		for _, h := range d.Hidden {
			if hidden != nil && hidden(h) {
				return localf("%s holds %s: gcc's directives-only dependency scan may have passed over a directive the compile carries out", read, h)
			}
		}
		for _, p := range d.Probes {
			probe(read, p)
		}
		expanded = append(expanded, d.Expanded...)
		for _, w := range d.Wrappers {
			w0 := wrappers[w.Macro]
			w.Next = w.Next || w0.Next
			wrappers[w.Macro] = w
		}
		return nil
	}
	files := inputFiles(set, fn)
	for _, f := range files {
		d, err := cache.directives(f.path, f.fn, f.sum)
		if err != nil {
			return nil, nil, err
		}
		if err := visit(f.path, d); err != nil {
			return nil, nil, err
		}
	}
	if err := checkExpansions(expanded, defined); err != nil {
		return nil, nil, err
	}
	if len(wrappers) > 0 {
		uses, err := wrapperProbes(files, wrappers, args, cache, defined)
		if err != nil {
			return nil, nil, err
		}
		for _, u := range uses {
			probe(u.read, u.Probe)
		}
	}
	for h := range found {
		hits = append(hits, h)
	}
	sort.Strings(hits)
	return hits, places, nil
}

// probePlaces lists where the compiler may look for a probed name: for a
// quoted name the includer's directory and the quote directories first,
// then the angle directories. __has_include_next starts after the
// includer's own directory; searching the whole list is a superset. The
// directories the compiler ignored (nonexistent) come last: nothing is
// found there, but a direct-mode record must see one appear.
func probePlaces(cwd, includerDir string, p depscan.Probe, search depscan.SearchList) []string {
	if filepath.IsAbs(p.Name) {
		return []string{p.Name}
	}
	var dirs []string
	if !p.Angle {
		dirs = append(append(dirs, includerDir), search.Quote...)
	}
	dirs = append(append(dirs, search.Angle...), search.Ignored...)
	places := make([]string, 0, len(dirs))
	for _, d := range dirs {
		// Joined, not cleaned: the kernel resolves "linked/.." through the
		// symlink, as the compiler does.
		if !filepath.IsAbs(d) {
			d = cwd + "/" + d
		}
		places = append(places, d+"/"+p.Name)
	}
	return places
}

// addProbeHits makes the places where a probe found something inputs:
// project files are uploaded, toolchain files named in the salt. It
// returns the project files it added.
func (set *inputSet) addProbeHits(hits []string, isToolchain func(string) bool) (added []string) {
	have := map[string]bool{}
	for _, f := range set.project {
		have[f.clean] = true
	}
	for _, h := range hits {
		switch {
		case isToolchain(h):
			set.probed = append(set.probed, h)
		case !have[h]:
			have[h] = true
			set.project = append(set.project, projectFile{clean: h, read: h, printed: h})
			added = append(added, h)
		}
	}
	return added
}

// clockFixed says whether the compile's __DATE__ and __TIME__ come from
// SOURCE_DATE_EPOCH, a keyed variable, rather than the clock: gcc reads
// it; clang 14 does not (later ones do, which rex does not tell apart),
// also when it is called gcc.
func clockFixed(p *compiler.Invocation, tc *toolchain.Toolchain, env []string) bool {
	if p.Family != compiler.GCC || tc.Clang() {
		return false
	}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "SOURCE_DATE_EPOCH="); ok && v != "" {
			return true
		}
	}
	return false
}

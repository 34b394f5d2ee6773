package wrapper

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/lookups"
)

// checkLookups holds the scan compiler's account of its lookups (see
// package lookups) against what the key covers. A file it found that is
// neither an input nor a keyed probe is one that rex's reading of the text
// missed (a __has_include pasted from a macro's parameters): unkeyed, it
// would go unseen when it changes, and a worker, which lacks it, would
// take the other branch. Such a compile stays local. An unobserved scan
// (no library for the toolchain) is left to the reading of the text. The
// locale's catalogues and the charset converters are opened inside the C
// library, which the library does not see: they are not lookups.
//
// A copy of a header read once is found too: gcc opens it, compares it with
// the header, and skips it. A worker lacks it, and would fail or search on
// for another header of its name: a compile that may run on one stays
// local (checkOnceCopies finds most such copies first). Else the record
// states the copy (see oncecopies.go), and it passes here: once holds the
// headers read once, by size, or is nil when the compile may run on a
// worker.
func checkLookups(cwd, source string, set inputSet, once map[int64][]inputFile, told lookups.Log) error {
	if !told.Observed {
		return nil
	}
	if told.Unresolved > 0 {
		return localf("the compiler looked up %d files relative to a directory rex could not name", told.Unresolved)
	}
	keyed := make(map[string]string, len(set.project)+len(set.system)+len(set.probed))
	for _, f := range set.project {
		keyed[f.clean] = f.read
	}
	for _, f := range set.system {
		keyed[f.path] = f.path
	}
	for _, p := range set.probed {
		keyed[p] = p
	}
	source = filepath.Clean(absolute(cwd, []string{source})[0])
	sawSource := false
	for i, read := range absolute(cwd, told.Found) {
		p, clean := told.Found[i], filepath.Clean(read)
		sawSource = sawSource || clean == source
		k, ok := keyed[clean]
		switch {
		case !ok && copyOfOnce(read, once):
		case !ok:
			return localf("the compiler read %s, which rex's reading of the sources did not find: a lookup spelt where the text does not show it", p)
		case k != read && !sameFile(k, read):
			return localf("%s and %s name different files through a symlink and ..", k, read)
		}
	}
	if !sawSource {
		return localf("the compiler's account of its lookups lacks the source %s", source)
	}
	return nil
}

// copyOfOnce says whether path holds what a header in once holds.
func copyOfOnce(path string, once map[int64][]inputFile) bool {
	st, err := os.Stat(path)
	if err != nil || len(once[st.Size()]) == 0 {
		return false
	}
	sums := map[digest.Function]digest.Digest{}
	for _, in := range once[st.Size()] {
		sum, ok := sums[in.fn]
		if !ok {
			if sum, err = in.fn.FromFile(path); err != nil {
				return false
			}
			sums[in.fn] = sum
		}
		if sum == in.sum {
			return true
		}
	}
	return false
}

// absolute is paths, as the compiler in cwd spelt them, made absolute but
// not clean: "lnk/.." is resolved through the symlink, as the compiler
// resolved it.
func absolute(cwd string, paths []string) []string {
	abs := make([]string, len(paths))
	for i, p := range paths {
		if !filepath.IsAbs(p) {
			p = cwd + "/" + p
		}
		abs[i] = p
	}
	return abs
}

// A local compile that fills a cache runs the whole preprocessing, with
// what gcc's directives-only scan leaves undone: a _Pragma("once") or a
// pasted _Pragma(push_macro) in the text may lead it to a header the scan
// did not list, and a _Pragma(GCC dependency) reads a file. Where the scan
// was observed, so is that compile: the cache is filled only when its
// compiler found nothing beyond the key. (A worker has only the keyed
// files: such a compile fails there, or, where a header of the same name
// is keyed, compiles another; see the README.)

var errUnkeyedRead = errors.New("the compile read a file the dependency scan does not list; the cache is not filled")

// watchLookups attaches the plan's library to a local compile that fills a
// cache, and returns the check of what it found (nil error when nothing is
// watched).
func watchLookups(plan *actionPlan, cmd *exec.Cmd, source string) (check func() error, err error) {
	if plan == nil || plan.lookups == nil {
		return func() error { return nil }, nil
	}
	finish, err := plan.lookups.Attach(cmd, source)
	if err != nil {
		return nil, err
	}
	return func() error {
		told, err := finish()
		if err != nil {
			return fmt.Errorf("%w: %v", errUnkeyedRead, err)
		}
		told.Without(cmd.Dir, plan.outputs, nil)
		if err := checkLookups(cmd.Dir, source, plan.inputs, plan.once, told); err != nil {
			return fmt.Errorf("%w: %v", errUnkeyedRead, err)
		}
		// A lookup the scan did not make, in a branch it did not take:
		// a header that appears there later would go unseen. (The
		// compile also asks for each header's precompiled form, which
		// the scan does not: see pch.go.)
		if !plan.scanLookups.Observed {
			return nil
		}
		scanned := map[string]bool{}
		for _, list := range [][]string{plan.scanLookups.Found, plan.scanLookups.Missing} {
			for _, p := range absolute(cmd.Dir, list) {
				scanned[p] = true
			}
		}
		for _, p := range absolute(cmd.Dir, told.Missing) {
			if !scanned[p] && !strings.HasSuffix(p, ".gch") {
				return fmt.Errorf("%w: the compile looked for %s, which its scan did not", errUnkeyedRead, p)
			}
		}
		return nil
	}, nil
}

package wrapper

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// systemFile is a toolchain file the compile reads. It is not uploaded: a
// worker has the toolchain at the same absolute path. Its content still
// counts in the cache key, so a changed system header is a different action.
type systemFile struct {
	path   string
	digest digest.Digest
}

// projectFile is any other file the compile reads: it is uploaded, at its
// place under the input root.
type projectFile struct {
	clean   string        // absolute, lexically clean: its place in the input root
	read    string        // where to read it: the path as the compiler spelled it
	printed string        // as the compiler printed it, for ".." directories
	digest  digest.Digest // in the action's digest function, once known
}

// inputSet is what the dependency scan found, split by where it lives.
type inputSet struct {
	project []projectFile
	system  []systemFile
	tree    []client.Input
	// probed are toolchain files a __has_include found: their existence
	// is keyed (see probes.go).
	probed []string
	// includeDirs are the include directories the compile names that
	// exist, placed in the input tree even when empty (see incdirs.go).
	includeDirs []string
}

// classify sorts the scanned dependencies into toolchain and project files.
// A project file is read where the compiler read it, the path as printed
// (the kernel resolves "linked/../inc" through the symlink, as the compiler
// did), and placed at its clean path; two spellings of one clean path that
// are different files cannot both be placed, so the compile stays local.
func classify(cwd string, tc *toolchain.Toolchain, deps []string) (inputSet, error) {
	var set inputSet
	byClean := map[string]string{}
	for _, dep := range deps {
		read := dep
		if !filepath.IsAbs(dep) {
			read = cwd + "/" + dep
		}
		clean := filepath.Clean(read)
		if tc.Contains(clean) {
			if !filepath.IsAbs(dep) {
				return set, localf("input %s is a toolchain file named by a relative path", dep)
			}
			set.system = append(set.system, systemFile{path: clean})
			continue
		}
		if prev, ok := byClean[clean]; ok {
			if prev != read && !sameFile(prev, read) {
				return set, localf("%s and %s name different files through a symlink and ..", prev, read)
			}
			continue
		}
		byClean[clean] = read
		set.project = append(set.project, projectFile{clean: clean, read: read, printed: dep})
	}
	return set, nil
}

func sameFile(a, b string) bool {
	sa, erra := os.Stat(a)
	sb, errb := os.Stat(b)
	return erra == nil && errb == nil && os.SameFile(sa, sb)
}

// buildTree lays the project files out under the root. The root must hold
// them all (see layout.widen).
func (set *inputSet) buildTree(l layout) error {
	dirs := map[string]bool{}
	if l.workDir != "" {
		dirs[l.workDir] = true
	}
	set.tree = set.tree[:0]
	for _, f := range set.project {
		rel, ok := relInside(l.root, f.clean)
		if !ok || rel == "" {
			return fmt.Errorf("input %s is outside the input root %s", f.clean, l.root)
		}
		set.tree = append(set.tree, client.Input{Path: filepath.ToSlash(rel), Source: f.read, Digest: f.digest})
		addDotDotDirs(l, f.printed, dirs)
	}
	for _, d := range set.includeDirs {
		if rel, ok := relInside(l.root, d); ok && rel != "" && (l.isToolchain == nil || !l.isToolchain(d)) {
			dirs[filepath.ToSlash(rel)] = true
		}
	}
	for d := range dirs {
		set.tree = append(set.tree, client.Input{Path: d, IsDir: true})
	}
	sort.Slice(set.tree, func(i, j int) bool { return set.tree[i].Path < set.tree[j].Path })
	sort.Slice(set.system, func(i, j int) bool { return set.system[i].path < set.system[j].path })
	return nil
}

// addDotDotDirs records the directories a path walks through before a "..".
// The compiler resolves "inc/sub/../x.h" through inc/sub, which must then
// exist remotely even when no file in it is an input.
func addDotDotDirs(l layout, dep string, dirs map[string]bool) {
	if !strings.Contains(dep, "..") {
		return
	}
	p := dep
	if !filepath.IsAbs(p) {
		p = l.cwd + "/" + p
	}
	parts := strings.Split(filepath.ToSlash(p), "/")
	for i := range parts {
		if parts[i] != ".." || i == 0 {
			continue
		}
		prefix := path.Clean("/" + strings.Join(parts[:i], "/"))
		if rel, ok := relInside(l.root, prefix); ok && rel != "" {
			dirs[rel] = true
		}
	}
}

// paths lists where every input is read: what the key hashes.
func (set *inputSet) paths() []string {
	out := make([]string, 0, len(set.project)+len(set.system))
	for _, f := range set.project {
		out = append(out, f.read)
	}
	for _, f := range set.system {
		out = append(out, f.path)
	}
	return out
}

// digestSystemFiles digests the system headers: from the stat-keyed cache
// when the stamp taken before the key (see inputstat.go) matches, else by
// hashing, in parallel. A TU including <iostream> reads about 180 of them
// (2 MB). They only feed the salt, which no server reads, so rex picks the
// fastest function, BLAKE3, whatever the server uses.
func digestSystemFiles(caches *digestCaches, files []systemFile, stamps inputStamps) error {
	cache := caches.get(digest.BLAKE3)
	learnt := make([]string, len(files))
	var g errgroup.Group
	g.SetLimit(4)
	for i := range files {
		if d, ok := cache.lookupStamped(files[i].path, stamps); ok {
			files[i].digest = d
			continue
		}
		g.Go(func() error {
			d, line, err := cache.compute(files[i].path)
			if err != nil {
				return fmt.Errorf("system input: %w", err)
			}
			files[i].digest, learnt[i] = d, line
			return nil
		})
	}
	err := g.Wait()
	cache.learn(learnt)
	return err
}

// digestProjectFiles gives the project files their digests in the action's
// function: from the stat-keyed cache when the stamp taken before the key
// (see inputstat.go) matches, else by hashing, in parallel. A kernel TU reads
// ~800 project headers (6 MB) that change far less often than they are
// compiled.
func digestProjectFiles(caches *digestCaches, fn digest.Function, files []projectFile, stamps inputStamps) error {
	cache := caches.get(fn)
	learnt := make([]string, len(files))
	var g errgroup.Group
	g.SetLimit(4)
	for i := range files {
		f := &files[i]
		if d, ok := cache.lookupStamped(f.read, stamps); ok {
			f.digest = d
			continue
		}
		g.Go(func() error {
			d, line, err := cache.compute(f.read)
			if err != nil {
				return fmt.Errorf("input %s: %w", f.read, err)
			}
			f.digest, learnt[i] = d, line
			return nil
		})
	}
	err := g.Wait()
	cache.learn(learnt)
	return err
}

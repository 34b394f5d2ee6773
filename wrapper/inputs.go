package wrapper

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// systemFile is an input outside the project root. It is not uploaded: the
// worker is expected to have it at the same absolute path. Its content still
// counts in the cache key, so a changed system header is a different action.
type systemFile struct {
	path   string
	digest digest.Digest
}

// inputSet is what the dependency scan found, split by where it lives.
type inputSet struct {
	tree   []client.Input
	system []systemFile
}

// collectInputs sorts the scanned dependencies into tree inputs (under the
// root) and system files (absolute, outside it). A relative path that leaves
// the root cannot be reproduced remotely, so the compile stays local.
func collectInputs(l layout, deps []string, stateDir string) (inputSet, error) {
	var set inputSet
	seen := map[string]bool{}
	dirs := map[string]bool{}
	if l.workDir != "" {
		dirs[l.workDir] = true
	}
	for _, dep := range deps {
		abs := l.abs(dep)
		if seen[abs] {
			continue
		}
		seen[abs] = true
		rel, ok := l.inRoot(abs)
		if !ok {
			if !filepath.IsAbs(dep) {
				return set, localf("input %s is outside the project root %s", dep, l.root)
			}
			set.system = append(set.system, systemFile{path: abs})
			continue
		}
		set.tree = append(set.tree, client.Input{Path: filepath.ToSlash(rel), Source: abs})
		addDotDotDirs(l, dep, dirs)
	}
	if err := digestSystemFiles(stateDir, set.system); err != nil {
		return set, err
	}
	for d := range dirs {
		set.tree = append(set.tree, client.Input{Path: d, IsDir: true})
	}
	sort.Slice(set.tree, func(i, j int) bool { return set.tree[i].Path < set.tree[j].Path })
	sort.Slice(set.system, func(i, j int) bool { return set.system[i].path < set.system[j].path })
	return set, nil
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

// digestSystemFiles digests the system headers: from the stat-keyed cache
// when it can, else by hashing, in parallel. A TU including <iostream> reads
// about 180 of them (2 MB), the largest cost of a cache hit after the
// dependency scan. They only feed the salt, which no server reads, so rex
// picks the fastest function, BLAKE3, whatever the server uses.
func digestSystemFiles(stateDir string, files []systemFile) error {
	cache := loadDigestCache(stateDir)
	learnt := make([]string, len(files))
	var g errgroup.Group
	g.SetLimit(4)
	for i := range files {
		if d, ok := cache.lookup(files[i].path); ok {
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
	if err := g.Wait(); err != nil {
		return err
	}
	for _, line := range learnt {
		if line != "" {
			cache.added = append(cache.added, line)
		}
	}
	cache.save()
	return nil
}

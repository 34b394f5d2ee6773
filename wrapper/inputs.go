package wrapper

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

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
func collectInputs(l layout, deps []string, fn digest.Function) (inputSet, error) {
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
			d, err := fn.FromFile(abs)
			if err != nil {
				return set, fmt.Errorf("system input: %w", err)
			}
			set.system = append(set.system, systemFile{path: abs, digest: d})
			continue
		}
		set.tree = append(set.tree, client.Input{Path: filepath.ToSlash(rel), Source: abs})
		addDotDotDirs(l, dep, dirs)
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

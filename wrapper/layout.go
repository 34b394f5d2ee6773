package wrapper

import (
	"os"
	"path/filepath"
	"strings"
)

// layout maps local paths to the remote input root. Files under the project
// root are uploaded at their path relative to it, so two checkouts of one
// project in different directories build identical actions.
type layout struct {
	root    string // absolute, clean
	cwd     string // absolute, clean, under root
	workDir string // cwd relative to root, "" when they are the same
}

func newLayout(projectRoot, cwd string) layout {
	cwd = filepath.Clean(cwd)
	root := projectRoot
	if root == "" {
		root = findGitTop(cwd)
	}
	root, _ = filepath.Abs(root)
	rel, ok := relInside(root, cwd)
	if !ok {
		root, rel = cwd, ""
	}
	return layout{root: root, cwd: cwd, workDir: rel}
}

// findGitTop walks up from dir to the directory holding .git, without
// running git (rex runs once per compile; a process spawn costs more).
func findGitTop(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// relInside returns path relative to base when path is base or below it.
func relInside(base, path string) (string, bool) {
	rel, err := filepath.Rel(base, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	if rel == "." {
		rel = ""
	}
	return rel, true
}

// abs resolves a path the compiler printed or the user typed, relative to cwd.
func (l layout) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(l.cwd, p)
}

// inRoot returns the root-relative path of p, if p is under the root.
func (l layout) inRoot(p string) (string, bool) {
	return relInside(l.root, l.abs(p))
}

// outputPath maps an output file to its path relative to the working
// directory, refusing outputs outside the cwd's subtree.
func (l layout) outputPath(p string) (string, error) {
	rel, ok := relInside(l.cwd, l.abs(p))
	if !ok || rel == "" {
		return "", localf("output %s is outside the working directory", p)
	}
	return filepath.ToSlash(rel), nil
}

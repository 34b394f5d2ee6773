package wrapper

import (
	"os"
	"path/filepath"
	"strings"
)

// layout maps local paths to the remote input root. The root is chosen per
// compile: the project root (REX_PROJECT_ROOT, else the git top level, else
// the cwd), widened to the common ancestor of everything the compile names
// outside the toolchain (the cwd, the source, the outputs, every project
// input and include directory). Files are uploaded at their path relative
// to it, and the remote working directory mirrors the cwd's place in it, so
// two checkouts of a project in different directories build identical
// actions whenever the root is the project's.
type layout struct {
	root    string // absolute, clean
	cwd     string // absolute, clean, under root
	workDir string // cwd relative to root, "" when they are the same
	// isToolchain reports whether a clean absolute path is the
	// toolchain's, which workers have: such paths are never rewritten.
	isToolchain func(string) bool
	// toolchainDirs are the directories behind isToolchain.
	toolchainDirs []string
}

// holdsToolchain reports whether the clean absolute path p is an ancestor
// of a toolchain directory: naming it under the worker's root would hide
// the toolchain from the compiler (--sysroot=/, -I/usr).
func (l layout) holdsToolchain(p string) bool {
	for _, d := range l.toolchainDirs {
		if _, ok := relInside(p, d); ok {
			return true
		}
	}
	return false
}

func newLayout(projectRoot, cwd string) layout {
	cwd = filepath.Clean(cwd)
	root := projectRoot
	if root == "" {
		root = findGitTop(cwd)
	}
	root, _ = filepath.Abs(root)
	l := layout{root: root, cwd: cwd}
	l.widen(cwd)
	return l
}

// widen makes the root an ancestor of the clean absolute path p.
func (l *layout) widen(p string) {
	for {
		if _, ok := relInside(l.root, p); ok {
			break
		}
		l.root = filepath.Dir(l.root)
	}
	l.workDir, _ = relInside(l.root, l.cwd)
}

// rootText is what the root contributes to a path written under it: the
// root itself, or "" for "/" (so that "/" + "/a" never becomes "//a").
func (l layout) rootText() string {
	if l.root == "/" {
		return ""
	}
	return l.root
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

// abs resolves a path the compiler printed or the user typed, relative to
// cwd, lexically: the place it takes in the input root.
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

package toolchain

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxLinks bounds the symlinks one path may go through, as the kernel's
// ELOOP does.
const maxLinks = 40

// collector gathers the files of a capture at the paths a program names
// them by: every symlink on the way is kept as a symlink, so that the
// hermetic root resolves each path the way this machine does (/lib64 ->
// usr/lib64, g++ -> g++-12, clang++ -> ../lib/llvm-14/bin/clang++).
type collector struct {
	files map[string]bool   // real paths of regular files
	links map[string]string // symlink path -> target
}

func newCollector() *collector {
	return &collector{files: map[string]bool{}, links: map[string]string{}}
}

// add records the absolute path p, walked component by component as the
// kernel walks it, and returns the regular file it ends at.
func (c *collector) add(p string) (string, error) {
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("capture %s: not an absolute path", p)
	}
	real, err := c.walk("/", strings.Split(p, "/"), 0)
	if err != nil {
		return "", fmt.Errorf("capture %s: %w", p, err)
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("capture %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("capture %s: %s is not a regular file", p, real)
	}
	c.files[real] = true
	return real, nil
}

// walk resolves parts from the real directory dir, recording symlinks.
func (c *collector) walk(dir string, parts []string, depth int) (string, error) {
	cur := dir
	for _, part := range parts {
		switch part {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if depth >= maxLinks {
			return "", fmt.Errorf("too many symlinks at %s", next)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		c.links[next] = target
		from := cur
		if filepath.IsAbs(target) {
			from = "/"
		}
		if cur, err = c.walk(from, strings.Split(target, "/"), depth+1); err != nil {
			return "", err
		}
	}
	return cur, nil
}

// Place walks each absolute path as the kernel would, for files a compile
// reads from the toolchain's directories (system headers): it returns the
// real file each ends at and every symlink on the way, so that a hermetic
// root resolves the paths as this machine does.
func Place(paths []string) (real []string, links map[string]string, err error) {
	c := newCollector()
	real = make([]string, len(paths))
	for i, p := range paths {
		if real[i], err = c.add(p); err != nil {
			return nil, nil, err
		}
	}
	return real, c.links, nil
}

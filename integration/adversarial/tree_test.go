package adversarial

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// entry is one thing in a case's tree, as a compile could leave it.
type entry struct {
	mode    fs.FileMode // type bits and permissions
	data    []byte      // file content or symlink target
	modTime time.Time
}

// tree maps the absolute path of every file, directory and symlink under a
// case's roots to what it holds.
type tree map[string]entry

// snapshot walks roots without following symlinks.
func snapshot(roots []string) (tree, error) {
	tr := tree{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			e := entry{mode: info.Mode(), modTime: info.ModTime()}
			switch {
			case info.Mode()&fs.ModeSymlink != 0:
				target, err := os.Readlink(p)
				if err != nil {
					return err
				}
				e.data = []byte(target)
			case info.Mode().IsRegular():
				if e.data, err = os.ReadFile(p); err != nil {
					return err
				}
			}
			tr[p] = e
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", root, err)
		}
	}
	return tr, nil
}

// restore brings the roots back to want: what a compile added goes, what it
// changed or removed is written back with its mode and mtime (so a second
// compile sees the very same inputs, __TIMESTAMP__ included).
func restore(roots []string, want tree) error {
	now, err := snapshot(roots)
	if err != nil {
		return err
	}
	var extra []string
	for p := range now {
		if _, ok := want[p]; !ok {
			extra = append(extra, p)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(extra))) // children first
	for _, p := range extra {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	sort.Strings(paths) // parents first
	for _, p := range paths {
		if got, ok := now[p]; ok && same(got, want[p]) && got.modTime.Equal(want[p].modTime) {
			continue
		}
		if err := put(p, want[p]); err != nil {
			return err
		}
	}
	return nil
}

func put(p string, e entry) error {
	switch {
	case e.mode.IsDir():
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		return os.Chmod(p, e.mode.Perm())
	case e.mode&fs.ModeSymlink != 0:
		os.RemoveAll(p)
		return os.Symlink(string(e.data), p)
	}
	os.RemoveAll(p)
	if err := os.WriteFile(p, e.data, e.mode.Perm()); err != nil {
		return err
	}
	if err := os.Chmod(p, e.mode.Perm()); err != nil {
		return err
	}
	return os.Chtimes(p, e.modTime, e.modTime)
}

// same compares what a user would see of two entries: type, permissions
// and bytes (not mtimes: two compiles never finish at the same instant).
func same(a, b entry) bool {
	return a.mode == b.mode && bytes.Equal(a.data, b.data)
}

// diff lists how got differs from want, at most a handful of lines.
func diff(want, got tree) []string {
	var out []string
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: left by the compiler, missing with rex", p))
		case w.mode != g.mode:
			out = append(out, fmt.Sprintf("%s: mode %v locally, %v with rex", p, w.mode, g.mode))
		}
		if ok && !bytes.Equal(w.data, g.data) {
			out = append(out, fmt.Sprintf("%s: %d bytes locally, %d with rex, first difference at byte %d%s",
				p, len(w.data), len(g.data), firstDiff(w.data, g.data), stringDiff(w.data, g.data)))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			out = append(out, fmt.Sprintf("%s: left by rex only", p))
		}
	}
	sort.Strings(out)
	return out
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

// stringDiff names a few printable strings only one side holds: in an
// object that is usually the path or macro value that went wrong.
func stringDiff(local, rex []byte) string {
	l, r := printable(local), printable(rex)
	var onlyL, onlyR []string
	for s := range l {
		if !r[s] && len(onlyL) < 4 {
			onlyL = append(onlyL, s)
		}
	}
	for s := range r {
		if !l[s] && len(onlyR) < 4 {
			onlyR = append(onlyR, s)
		}
	}
	if len(onlyL)+len(onlyR) == 0 {
		return ""
	}
	sort.Strings(onlyL)
	sort.Strings(onlyR)
	return fmt.Sprintf("; strings only local: %q, only rex: %q", onlyL, onlyR)
}

// printable is the set of runs of at least 4 printable bytes, like strings(1).
func printable(b []byte) map[string]bool {
	set := map[string]bool{}
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] >= 0x20 && b[i] < 0x7f {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 4 {
			set[string(b[start:i])] = true
		}
		start = -1
	}
	return set
}

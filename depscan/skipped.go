package depscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/lookups"
)

// clang skips a header that a directive reaches again through another name
// of the same inode (a symlink, a hard link to it) when it was read once or
// its include guard is defined: it enters no file, so its -E prints no line
// marker of the name. Yet the compile looked the name up there, and a
// worker that lacks the link searches on (b/x.h after a/x.h) and compiles
// another header. clang's make rule lists such a name (what the compile
// skipped is a dependency too), so its -E scans write the rule as well:
// the dependency file the compile writes anyway, or one of the scan's own
// (-MD, system headers included), whose files join the markers'; where
// the compile's own leaves system headers out (-MMD), a -M run's instead. gcc
// opens the name and prints its marker.

// skippedRule is where a clang -E scan has its make rule written; remove
// deletes the scan's own file. path is "" for a scan that needs none.
type skippedRule struct {
	path string
	own  bool
}

// newSkippedRule returns where the scan of req, by args, finds its rule,
// and the args that write it there.
func newSkippedRule(req Request, args []string, byRule bool) (skippedRule, []string, error) {
	if req.Inv.Family != compiler.Clang || byRule {
		return skippedRule{}, args, nil
	}
	if req.Inv.DepFile != "" {
		return skippedRule{path: req.DepFile}, args, nil
	}
	f, err := os.CreateTemp("", "rex-rule-*.d")
	if err != nil {
		return skippedRule{}, nil, fmt.Errorf("depscan: a file for the make rule: %w", err)
	}
	f.Close()
	return skippedRule{path: f.Name(), own: true}, append(args, "-MD", "-MF", f.Name()), nil
}

// remove deletes the scan's own rule file.
func (r skippedRule) remove() {
	if r.own {
		os.Remove(r.path)
	}
}

// join appends to files, the markers', those of the rule they lack. The
// rule of a compile's -MMD omits system headers, skipped ones too (a
// header a system header includes is one): there the full rule of a -M
// run, which lists every file -MMD's does, stands in for it.
// The -M run's lookups join told.
func (r skippedRule) join(ctx context.Context, req Request, files []string, told *lookups.Log) ([]string, error) {
	if r.path == "" {
		return files, nil
	}
	if req.Inv.DepsOmitSystem {
		out, _, err := run(ctx, req, req.Inv.DepsArgs())
		if err != nil {
			return nil, err
		}
		defer out.Close()
		told.Merge(out.lookups)
		if err := out.read(); err != nil {
			return nil, err
		}
		return joinRule(files, out.mapped, req.Dir)
	}
	data, err := os.ReadFile(r.path)
	if err != nil {
		return nil, fmt.Errorf("depscan: the make rule of the scan: %w", err)
	}
	return joinRule(files, data, req.Dir)
}

// joinRule appends to files those of the make rule in data they lack,
// relative to dir. clang's rule spells a backslash of a name as a slash:
// a name of the rule that no file has, which a marker spells with a
// backslash, is that one.
func joinRule(files []string, data []byte, dir string) ([]string, error) {
	listed, err := ParseRule(data)
	if err != nil {
		return nil, fmt.Errorf("depscan: the make rule of the scan: %w", err)
	}
	seen := make(map[string]bool, len(files))
	slashed := map[string]bool{}
	for _, f := range files {
		seen[filepath.Clean(f)] = true
		if strings.Contains(f, `\`) {
			slashed[filepath.Clean(strings.ReplaceAll(f, `\`, "/"))] = true
		}
	}
	for _, f := range listed {
		c := filepath.Clean(f)
		if seen[c] || slashed[c] && !exists(dir, f) {
			continue
		}
		seen[c] = true
		files = append(files, f)
	}
	return files, nil
}

// exists reports whether the file f (relative to dir) exists.
func exists(dir, f string) bool {
	if !filepath.IsAbs(f) {
		f = filepath.Join(dir, f)
	}
	_, err := os.Lstat(f)
	return err == nil
}

package worker

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"google.golang.org/grpc/codes"
)

// cleanRel checks a slash-separated path from the action (working
// directory, output path) and returns it cleaned, relative to the input
// root. Absolute paths and paths that leave the root are refused.
func cleanRel(p string) (string, error) {
	if path.IsAbs(p) || strings.Contains(p, "\\") {
		return "", withCode(codes.InvalidArgument, fmt.Errorf("path %q: must be relative", p))
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", withCode(codes.InvalidArgument, fmt.Errorf("path %q: escapes the input root", p))
	}
	return c, nil
}

// outputRel resolves an output path, relative to the working directory wd
// (itself cleaned, relative to the root), to a path relative to the root.
func outputRel(wd, p string) (string, error) {
	if path.IsAbs(p) {
		return "", withCode(codes.InvalidArgument, fmt.Errorf("output path %q: must be relative", p))
	}
	c, err := cleanRel(path.Join(wd, p))
	if err != nil {
		return "", fmt.Errorf("output path %q: %w", p, err)
	}
	if c == "." {
		return "", withCode(codes.InvalidArgument, fmt.Errorf("output path %q: names the input root", p))
	}
	return c, nil
}

// underRoot turns a cleaned relative path into a host path below root.
func underRoot(root, rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }

// checkNoSymlinkParents makes sure no directory on the way from root to rel
// is a symbolic link, so that collecting outputs never follows a link the
// command planted to somewhere outside its directory.
func checkNoSymlinkParents(root, rel string) error {
	dir := root
	parts := strings.Split(rel, "/")
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return withCode(codes.InvalidArgument, fmt.Errorf("output %q: %s is not a directory", rel, dir))
		}
	}
	return nil
}

// resolveProgram finds the file argv[0] names, as the REAPI says: an
// absolute path as is, a path with a separator relative to the working
// directory, a bare name through searchPath (the Command's PATH). Relative
// PATH entries are relative to the working directory.
func resolveProgram(arg0, workDir, searchPath string) (string, error) {
	if arg0 == "" {
		return "", withCode(codes.InvalidArgument, fmt.Errorf("command has no arguments"))
	}
	if filepath.IsAbs(arg0) {
		return arg0, nil
	}
	if strings.Contains(arg0, "/") {
		return filepath.Join(workDir, arg0), nil
	}
	for _, dir := range filepath.SplitList(searchPath) {
		if dir == "" {
			dir = "."
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(workDir, dir)
		}
		p := filepath.Join(dir, arg0)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", withCode(codes.InvalidArgument, fmt.Errorf("program %q not found in PATH %q", arg0, searchPath))
}

package wrapper

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/compiler"
)

// What an include directory the compile names is counts, not only what is
// in it: gcc warns of one that is not a directory (a file, or a symlink to
// one) and searches on, and no -v search list names it. A worker lacks the
// file, which is no input, and would not warn: such a compile runs locally.
// A direct-mode record states each named directory's kind (a place of its
// own), so that one that turns into a file, or from one into a directory,
// makes the compile scan again. And the input tree holds each that is a
// directory, empty when no input lies in it, so that a worker sees it as
// the user's compile does: -Wmissing-include-dirs warns of one that is
// missing.

// includeDirOptions are the options whose value is an include directory.
var includeDirOptions = []string{"-I", "-iquote", "-isystem", "-idirafter"}

// namedIncludeDirs lists the include directories p names, as absolute
// paths without a trailing slash: the values of the include directory
// options, as the compiler package parsed them, and the entries of the
// include path variables.
func namedIncludeDirs(cwd string, p *compiler.Invocation, env map[string]string) []string {
	named := p.OptionValues(includeDirOptions...)
	for _, name := range includePathEnv {
		if v, ok := env[name]; ok {
			named = append(named, filepath.SplitList(v)...)
		}
	}
	dirs := make([]string, 0, len(named))
	for _, d := range named {
		if d == "" || d == "-" || d[0] == '=' {
			// The current directory, which is a directory; -I-, which
			// names none; a directory under the sysroot.
			continue
		}
		if !filepath.IsAbs(d) {
			d = cwd + "/" + d
		}
		if d = strings.TrimRight(d, "/"); d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// checkIncludeDirs returns the include directories p names and, of them,
// those that are directories (cleaned; one spelled with ".." is left out:
// the kernel resolves it through symlinks, and its clean path may name
// another directory), or a local error when one exists and is not a
// directory. Each is looked at once.
func checkIncludeDirs(cwd string, p *compiler.Invocation, env []string) (named, existing []string, err error) {
	named = namedIncludeDirs(cwd, p, envMap(env))
	for _, d := range named {
		st, err := os.Stat(d)
		switch {
		case err != nil:
		case !st.IsDir():
			return nil, nil, localf("include directory %s is not a directory: the compiler warns of it, a worker that lacks it would not", d)
		case !strings.Contains(d, ".."):
			existing = append(existing, filepath.Clean(d))
		}
	}
	return named, existing, nil
}

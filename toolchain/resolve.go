package toolchain

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Resolve finds the program argv0 names the way the shell that started rex
// would: a name with a slash is taken as it is (made absolute against cwd),
// a bare name is looked up in env's PATH, first match wins. It is the one
// place rex decides which compiler a command runs: the identity hashed into
// the key, the dependency scan and the remote command all use its answer.
// The path is returned as found, not with its symlinks resolved: a driver
// behaves by the name it was started as (c++, g++, clang++).
func Resolve(argv0, cwd string, env []string) (string, error) {
	if strings.Contains(argv0, "/") {
		p := argv0
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		if !isExecutable(p) {
			return "", fmt.Errorf("compiler %s: %w", argv0, exec.ErrNotFound)
		}
		return p, nil
	}
	for _, dir := range filepath.SplitList(envValue(env, "PATH")) {
		if dir == "" {
			dir = "."
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cwd, dir)
		}
		if p := filepath.Join(dir, argv0); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("compiler %q not found in PATH: %w", argv0, exec.ErrNotFound)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

// envValue returns the value of name in env; the last definition wins, as
// for getenv on an environment built by appending.
func envValue(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if rest, ok := strings.CutPrefix(kv, name+"="); ok {
			v = rest
		}
	}
	return v
}

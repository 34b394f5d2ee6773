// Package toolchain owns what rex assumes a worker has: the compiler's own
// installation. It resolves the compiler a command names (one resolver for
// the key, the dependency scan and the remote command), identifies it by
// the content of every program a compile runs (driver, cc1/cc1plus, the
// assembler it finds), and lists the directories whose files count as the
// toolchain: the compiler's built-in include directories, as the compiler
// reports them, and its installation directory. Every other file a compile
// reads is the project's, and is uploaded. For hermetic actions it also
// captures the toolchain itself (capture.go): every file its programs need
// to run, as a tree that travels in the input root.
package toolchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
)

// Toolchain is one compiler installation as a compile uses it.
type Toolchain struct {
	// Path is the driver as Resolve found it: the remote command's argv[0].
	Path string `json:"path"`
	// Identity names everything of the installation that decides what a
	// compile produces; it goes into the cache key.
	Identity string `json:"identity"`
	// Dirs are clean absolute directories whose files a worker is assumed
	// to have, with the same content (which still counts in the key).
	Dirs []string `json:"dirs"`
	// SearchPath is the PATH of the remote command: the directories where
	// the driver found the programs it runs, then the standard ones.
	SearchPath string `json:"search_path"`
	// Programs are the files the identity hashed, with their stat keys, to
	// notice an upgrade.
	Programs map[string]string `json:"programs"`
	// AsDeps says the driver's assembler is GNU as, which lists the files
	// it read (.incbin, .include) with --MD.
	AsDeps bool `json:"as_deps"`
	// Libraries are the sonames its programs load, each with the file
	// the loader takes by default (see libraries.go).
	Libraries map[string]string `json:"libraries"`
	// CwdPrograms are the places, relative to a compile's directory, that
	// PATH's relative entries make the driver look for a program (as)
	// before the one found.
	CwdPrograms []string `json:"cwd_programs,omitempty"`
}

// Clang reports whether the driver is clang, whatever it is called (the
// "gcc" of macOS is): its --version, in the identity, says so.
func (tc *Toolchain) Clang() bool {
	for _, line := range strings.Split(tc.Identity, "\n") {
		if v, ok := strings.CutPrefix(line, "version "); ok {
			return strings.Contains(v, "clang")
		}
	}
	return false
}

// StandardPath ends every remote PATH.
const StandardPath = "/usr/local/bin:/usr/bin:/bin"

// ErrNotCompiler is returned for a compiler name that runs something other
// than a compiler binary (ccache's symlinks, a wrapper script): rex cannot
// know what such a program reads.
var ErrNotCompiler = errors.New("not a compiler binary")

// Contains reports whether the clean absolute path p lies in a toolchain
// directory.
func (tc *Toolchain) Contains(p string) bool {
	for _, d := range tc.Dirs {
		if p == d || strings.HasPrefix(p, d+"/") || d == "/" {
			return true
		}
	}
	return false
}

// probe asks the compiler at path about itself. env is the user's: the
// driver finds its assembler in PATH.
func probe(ctx context.Context, path string, env []string) (*Toolchain, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	if err := checkBinary(real); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	run := func(args ...string) (string, error) { return output(ctx, path, env, args...) }
	version, err := run("--version")
	if err != nil {
		return nil, err
	}
	version, _, _ = strings.Cut(version, "\n")
	target, _ := run("-dumpmachine")
	tc := &Toolchain{Path: path, Programs: map[string]string{}}
	var id strings.Builder
	fmt.Fprintf(&id, "rex toolchain v1\nversion %s\ntarget %s\n", version, strings.TrimSpace(target))
	searchDirs := []string{}
	if err := tc.addProgram(&id, "driver", real); err != nil {
		return nil, err
	}
	loaded := []string{real}
	for _, prog := range []string{"cc1", "cc1plus", "as"} {
		p := programPath(run, prog, env)
		if p == "" {
			continue
		}
		tc.addShadows(p, prog, env)
		loaded = append(loaded, p)
		if err := tc.addProgram(&id, prog, p); err != nil {
			return nil, err
		}
		searchDirs = append(searchDirs, filepath.Dir(p))
		if prog == "as" {
			v, _ := output(ctx, p, env, "--version")
			tc.AsDeps = strings.HasPrefix(v, "GNU assembler")
		}
	}
	if strings.Contains(version, "clang") {
		if err := tc.addConfigs(&id, path, real); err != nil {
			return nil, err
		}
	}
	tc.Dirs = installDirs(run)
	if err := tc.addSpecs(&id); err != nil {
		return nil, err
	}
	for _, lang := range []string{"c", "c++"} {
		_, angle, err := builtinSearchList(ctx, path, env, lang)
		if err != nil {
			return nil, err
		}
		tc.Dirs = append(tc.Dirs, angle...)
	}
	tc.Dirs = dedupe(tc.Dirs)
	for _, d := range tc.Dirs {
		fmt.Fprintf(&id, "dir %s\n", d)
	}
	tc.Libraries = neededLibraries(loaded, strings.TrimSpace(target))
	tc.Identity = id.String()
	tc.SearchPath = strings.Join(dedupe(append(append(searchDirs, filepath.Dir(path)), filepath.SplitList(StandardPath)...)), ":")
	return tc, nil
}

// checkBinary refuses a driver that is not an ELF executable named like a
// compiler after its symlinks are followed (ccache, distcc, scripts).
func checkBinary(real string) error {
	if !compiler.IsDriverName(filepath.Base(real)) {
		return fmt.Errorf("%w: it runs %s", ErrNotCompiler, real)
	}
	f, err := os.Open(real)
	if err != nil {
		return err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := f.Read(magic); err != nil || !bytes.Equal(magic, []byte("\x7fELF")) {
		return fmt.Errorf("%w: %s is not an ELF executable", ErrNotCompiler, real)
	}
	return nil
}

// addProgram hashes one program into the identity and remembers its stat.
func (tc *Toolchain) addProgram(id *strings.Builder, name, p string) error {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return err
	}
	st, err := os.Stat(real)
	if err != nil {
		return err
	}
	d, err := digest.BLAKE3.FromFile(real)
	if err != nil {
		return fmt.Errorf("toolchain %s: %w", name, err)
	}
	tc.Programs[real] = statKey(st)
	// The path as found, a symlink maybe: pointed elsewhere, it runs
	// another program while the one hashed stays as it was.
	tc.Programs[p] = statKey(st)
	fmt.Fprintf(id, "%s %s %s\n", name, p, d)
	return nil
}

// addConfigs keys clang's configuration files beside its driver, which it
// reads by the name it is called by (x86_64-clang reads x86_64-clang.cfg,
// clang 16 reads clang.cfg): every .cfg in the driver's directories, the
// called one and the real one, goes into the identity, and the
// directories' stat data notice one that appears.
func (tc *Toolchain) addConfigs(id *strings.Builder, called, real string) error {
	for _, dir := range []string{filepath.Dir(called), filepath.Dir(real)} {
		st, err := os.Stat(dir)
		if err != nil {
			return err
		}
		tc.Programs[dir] = statKey(st)
		cfgs, _ := filepath.Glob(filepath.Join(dir, "*.cfg"))
		for _, cfg := range cfgs {
			if err := tc.addProgram(id, "config", cfg); err != nil {
				return err
			}
		}
	}
	return nil
}

// CwdShadow returns a program in cwd's reach of PATH's relative entries
// that the driver runs instead of the one hashed, or "".
func (tc *Toolchain) CwdShadow(cwd string) string {
	for _, rel := range tc.CwdPrograms {
		if p := filepath.Join(cwd, rel); fileExists(p) {
			return p
		}
	}
	return ""
}

// addShadows remembers, for a program the driver runs through PATH (gcc's
// "as"), the places in PATH before the one found: a program that appears
// there later is the one the driver runs.
func (tc *Toolchain) addShadows(found, prog string, env []string) {
	earlier := map[string]string{}
	var relative []string
	for _, dir := range filepath.SplitList(envValue(env, "PATH")) {
		if !filepath.IsAbs(dir) {
			// The cwd's: each compile's own (see CwdShadow).
			relative = append(relative, filepath.Join(dir, prog))
			continue
		}
		p := filepath.Join(dir, prog)
		if p == found {
			for p, key := range earlier {
				tc.Programs[p] = key
			}
			tc.CwdPrograms = append(tc.CwdPrograms, relative...)
			return
		}
		if st, err := os.Stat(p); err != nil {
			earlier[p] = absent
		} else {
			earlier[p] = statKey(st)
		}
	}
}

// absent marks, in Programs, a file whose absence the identity records.
const absent = "absent"

// addSpecs keys gcc's specs file in the installation directory, which the
// driver reads when it exists: one that appears changes every compile, so
// its absence is remembered too and checked on every load.
func (tc *Toolchain) addSpecs(id *strings.Builder) error {
	for _, d := range tc.Dirs {
		p := filepath.Join(d, "specs")
		if _, err := os.Stat(p); err != nil {
			tc.Programs[p] = absent
			continue
		}
		if err := tc.addProgram(id, "specs", p); err != nil {
			return err
		}
	}
	return nil
}

// programPath is where the driver finds prog: an absolute path it prints,
// or a bare name it looks up in PATH. "" when prog does not exist.
func programPath(run func(...string) (string, error), prog string, env []string) string {
	out, err := run("-print-prog-name=" + prog)
	out = strings.TrimSpace(out)
	if err != nil || out == "" {
		return ""
	}
	if filepath.IsAbs(out) {
		if isExecutable(out) {
			return filepath.Clean(out)
		}
		return ""
	}
	if strings.Contains(out, "/") {
		return ""
	}
	p, err := Resolve(out, "/", env)
	if err != nil {
		return ""
	}
	return p
}

// installDirs are the compiler's own directories: gcc's installation
// directory (cc1, specs, its include and plugin directories) and clang's
// resource directory.
func installDirs(run func(...string) (string, error)) []string {
	var dirs []string
	if out, err := run("-print-search-dirs"); err == nil {
		for _, line := range strings.Split(out, "\n") {
			if d, ok := strings.CutPrefix(line, "install: "); ok && filepath.IsAbs(d) {
				dirs = append(dirs, filepath.Clean(d))
			}
		}
	}
	if out, err := run("-print-resource-dir"); err == nil && filepath.IsAbs(strings.TrimSpace(out)) {
		dirs = append(dirs, filepath.Clean(strings.TrimSpace(out)))
	}
	return dirs
}

// builtinSearchList is the include search list of a compile with no
// options: what the compiler brings with it.
func builtinSearchList(ctx context.Context, path string, env []string, lang string) (quote, angle []string, err error) {
	cmd := exec.CommandContext(ctx, path, "-E", "-v", "-x", lang, "/dev/null", "-o", "/dev/null")
	cmd.Env = probeEnv(env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("%s -E -v -x %s: %w: %s", path, lang, err, stderr.Bytes())
	}
	sl := depscan.ParseSearchList(stderr.Bytes())
	for i, d := range sl.Angle {
		sl.Angle[i] = filepath.Clean(d)
	}
	return sl.Quote, sl.Angle, nil
}

func output(ctx context.Context, path string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = probeEnv(env)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", path, strings.Join(args, " "), err)
	}
	return string(out), nil
}

// probeEnv runs probes in the C locale with the user's PATH, which is
// where the driver looks for the assembler.
func probeEnv(env []string) []string {
	return []string{"LC_ALL=C", "PATH=" + envValue(env, "PATH")}
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0:0]
	for _, s := range list {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

package localhit

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/toolchain"
)

// UnwritableOutput says why rex cannot write the compile's outputs (the dep
// file included) as the compiler would, or "". When an output's directory
// does not exist or is not writable, or a directory stands at its path, the
// compiler fails, and so must the compile through rex, with the same
// message and status and nothing created (rex must not make the
// directory): only the compiler itself says that exactly. The compiler
// writes through an output that is a symlink or a hard link (the
// dependency and stack usage files; the object it removes first, as rex
// does), where rex would rename a new file over the link and leave its
// other name stale. So does an output spelled with a ".." after a
// directory name (see dotDotAfterName). Such compiles run locally.
func UnwritableOutput(cwd string, p *compiler.Invocation) string {
	for _, out := range p.Outputs {
		if !filepath.IsAbs(out) {
			out = filepath.Join(cwd, out)
		}
		dir := filepath.Dir(out)
		switch st, err := os.Stat(dir); {
		case err != nil || !st.IsDir():
			return "output directory " + dir + " does not exist"
		case unix.Access(dir, unix.W_OK) != nil:
			return "output directory " + dir + " is not writable"
		}
		if st, err := os.Stat(out); err == nil && st.IsDir() {
			return "output " + out + " is a directory"
		}
	}
	return OutputWrittenThrough(cwd, p)
}

// OutputWrittenThrough says which output of p the compiler would write
// through a link, where rex would write beside it, or "": a dependency or
// stack usage file that is a symlink or a hard link, or an output spelled
// with a ".." after a directory name. Unlike a missing directory, which a
// build creates before it compiles, that holds for the compile whenever it
// runs: `rex plan` predicts with it too.
func OutputWrittenThrough(cwd string, p *compiler.Invocation) string {
	for i, out := range p.Outputs {
		if dotDotAfterName(out) {
			return "output " + out + " has a .. after a directory name: the kernel resolves it through a symlink, rex would not"
		}
		if i == 0 {
			continue
		}
		if !filepath.IsAbs(out) {
			out = filepath.Join(cwd, out)
		}
		var st unix.Stat_t
		switch err := unix.Lstat(out, &st); {
		case err == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK:
			return "output " + out + " is a symlink, which the compiler writes through"
		case err == nil && st.Nlink > 1:
			return "output " + out + " is a hard link, which the compiler writes through"
		}
	}
	return ""
}

// dotDotAfterName reports whether path has a ".." after a name ("d/../x",
// not "../x"): the compiler's open resolves "d/.." through d when d is a
// symlink, and rex, which writes outputs at their clean paths (as a
// worker's tree holds no symlink), would write elsewhere.
func dotDotAfterName(path string) bool {
	named := false
	for _, part := range strings.Split(path, "/") {
		switch part {
		case "", ".":
		case "..":
			if named {
				return true
			}
		default:
			named = true
		}
	}
	return false
}

// UncleanDir says why the working directory dir keeps the compile local,
// or "". gcc and clang take it from PWD, as spelled, when PWD names the
// directory they run in (so does rex), and write it into debug info and
// coverage data: a spelling with "/.", ".." or "//" is not the one a
// worker's directory maps back to.
func UncleanDir(dir string) string {
	if filepath.Clean(dir) != dir {
		return "the working directory " + dir + " (PWD) is not spelled clean, and the compiler writes it as spelled"
	}
	return ""
}

// Of the diagnostic environment, gcc 12 reads GCC_COLORS (the colours;
// empty turns them off even with =always), GCC_URLS and TERM_URLS (the
// form of option links, with -fdiagnostics-urls=always) whatever stderr
// is, so they are forwarded to the remote command, and keyed (compiler.EnvPolicy).
// TERM, COLORTERM and the like count only for =auto on a terminal, which
// a remote compile never has: rex reads TERM here instead.

// ColorArgv returns argv with the option that asks the compiler for
// coloured diagnostics when a local compile would colour them: its stderr
// is a terminal (gcc and clang's default, -fdiagnostics-color=auto, checks
// only that and TERM) and the command does not choose. The remote command
// and the cache key then carry the option, and so does a cache-only local
// compile, whose stderr rex captures.
func ColorArgv(argv []string, stderrIsTerminal bool, env map[string]string, p *compiler.Invocation) []string {
	if !stderrIsTerminal || p.HasColorOption() {
		return argv
	}
	if term := env["TERM"]; term == "" || term == "dumb" {
		return argv
	}
	if opt := p.AskColor(); opt != "" {
		return append(argv[:len(argv):len(argv)], opt)
	}
	return argv
}

// EnvMap is env (as os.Environ gives it) by name.
func EnvMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// IncludePathEnv are the variables that add include directories. Their
// directories are inputs like -I ones: a project directory in them is
// uploaded and named under the input root.
var IncludePathEnv = []string{"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "OBJCPLUS_INCLUDE_PATH"}

// ToolchainRunsLocally says why a compile in dir must run locally with a
// toolchain that is not the one hashed there, or "": a program found
// through a relative PATH entry, or LD_LIBRARY_PATH holding a library the
// compiler loads. A charset
// conversion (-fexec-charset and the like) loads iconv's modules, whose
// own libraries it may hold too: with one, any LD_LIBRARY_PATH counts.
func ToolchainRunsLocally(tc *toolchain.Toolchain, env map[string]string, dir string, args []string) string {
	if p := tc.CwdShadow(dir); p != "" {
		return "the driver runs " + p + ", through a relative PATH entry"
	}
	lp := env["LD_LIBRARY_PATH"]
	if lp == "" {
		return ""
	}
	if lib := tc.LoadedFrom(lp, dir); lib != "" {
		return "LD_LIBRARY_PATH holds " + lib + ", which the compiler loads"
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-fexec-charset=") || strings.HasPrefix(a, "-fwide-exec-charset=") || strings.HasPrefix(a, "-finput-charset=") {
			return "LD_LIBRARY_PATH is set and " + a + " loads iconv's modules and their libraries"
		}
	}
	return ""
}

// EnvRunsLocally names a variable of env that makes the compiler read or
// write what rex cannot key (compiler.EnvPolicy decides), and says why;
// "" when there is none.
func EnvRunsLocally(env map[string]string) string {
	names := make([]string, 0, len(env))
	for name := range env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, why := compiler.EnvPolicy(name); why != "" {
			return name + " is set: " + why
		}
	}
	return ""
}

package wrapper

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/compiler"
)

// Paths under the project root are absolute on the local machine but live
// somewhere else on a worker. Writing them relative would change what the
// compiler embeds (__FILE__, assert messages, debug info) and so the object.
// Instead, when a command holds such paths, or debug info records the
// working directory, the remote command is a small sh script that finds the
// input root's real path R at run time and passes R/rel wherever the user
// passed root/rel, with -ffile-prefix-map mapping R back to what the local
// compiler would have embedded. The Action names no local path unless it
// must (see coveringMap), so two checkouts share hits.
//
// The script also rewrites R in stderr and in the outputs that name paths
// (the dependency file, .su files) to a placeholder, which rex replaces with the local root when it materialises
// a result: what is cached does not depend on the worker's directory.

// rootMarker stands for R inside argument strings until the script is
// written; a NUL byte cannot occur in a real argument.
const rootMarker = "\x00R"

// rootPlaceholder replaces R in cached dep files and diagnostics.
const rootPlaceholder = "@REX_ROOT@"

// scriptFailure is the exit code of the script's own failures; with a
// stderr line starting scriptMessage it is an infrastructure error, not a
// compile result.
const (
	scriptFailure = 222
	scriptMessage = "rex-remote: "
)

// prefixMapFlags are the options that remap path prefixes in outputs.
var prefixMapFlags = []string{"-ffile-prefix-map=", "-fdebug-prefix-map=", "-fmacro-prefix-map="}

// remoteCommand is the argv of the remote Command and whether it is the
// portable script (whose outputs carry rootPlaceholder).
type remoteCommand struct {
	argv     []string
	portable bool
}

// envExport is an environment variable the portable script sets, its
// value holding rootMarker.
type envExport struct{ name, value string }

func buildRemoteArgv(p *compiler.Invocation, l layout, pathOutputs []string, exports []envExport, compilerPath string) remoteCommand {
	args := p.RemoteArgs(l.markArg)
	args[0] = compilerPath
	args = markPrefixMaps(args, l)
	if !needsScript(args, p) && len(exports) == 0 {
		return remoteCommand{argv: args}
	}
	if !coveringMap(args) {
		// Nothing the user passed maps the root: embed what the local
		// compiler would, the local root itself. Correct, but this
		// checkout's actions are its own (see README, -ffile-prefix-map).
		args = rootMaps(args, l)
	}
	return remoteCommand{argv: []string{"/bin/sh", "-c", script(args, l.workDir, pathOutputs, exports)}, portable: true}
}

// markArg turns an absolute path under the root into rootMarker/rel.
// Toolchain paths stay as they are: a worker has them there.
func (l layout) markArg(p string) string {
	if !strings.HasPrefix(p, "/") || l.isToolchain != nil && l.isToolchain(filepath.Clean(p)) {
		return p
	}
	// Keep the spelling after the root ("-I/root/." stays "-I$R/."): the
	// compiler records include directories as written, in debug info.
	if rest, ok := strings.CutPrefix(p, l.rootText()); ok && (rest == "" || rest[0] == '/') {
		return rootMarker + rest
	}
	rel, ok := l.inRoot(p)
	if !ok {
		return p
	}
	if rel == "" {
		return rootMarker
	}
	return rootMarker + "/" + rel
}

// markPrefixMaps rewrites the prefix maps for the worker's tree. A map of
// the root or of a path below it names the same place under the worker's
// root. A map of a directory above the root keeps applying to the
// toolchain's paths, and is followed by its equivalent for the worker's
// root: gcc lets the last matching map win, clang the longest, so either
// way the equivalent decides for files under the root (unless another map
// also names R there: see rivalMaps). The dep-file
// target options get the same marking so the cached rule names no checkout.
func markPrefixMaps(args []string, l layout) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		out = append(out, a)
		for _, flag := range prefixMapFlags {
			rest, ok := strings.CutPrefix(a, flag)
			if !ok {
				continue
			}
			old, new, ok := strings.Cut(rest, "=")
			if !ok {
				continue
			}
			if marked := l.markArg(old); marked != old {
				out[len(out)-1] = flag + marked + "=" + new
			} else if below, ok := l.belowMapped(old); ok {
				out = append(out, flag+rootMarker+"="+new+below)
			}
		}
		if i > 0 && (args[i-1] == "-MQ" || args[i-1] == "-MT") {
			out[len(out)-1] = l.markArg(a)
		}
	}
	return out
}

// belowMapped reports whether old, an absolute prefix, is a proper prefix
// of the root's path, and what of the root follows it: a compiler maps
// the root's files by replacing that prefix, text for text.
func (l layout) belowMapped(old string) (string, bool) {
	if !strings.HasPrefix(old, "/") || l.root == "/" {
		return "", false
	}
	rest, ok := strings.CutPrefix(l.root, old)
	if !ok || rest == "" || !strings.HasSuffix(old, "/") && rest[0] != '/' {
		return "", false
	}
	return rest, true
}

// needsScript reports whether the remote command depends on where the
// input root lives: a marked path, or debug info (it records the working
// directory).
func needsScript(args []string, p *compiler.Invocation) bool {
	for _, a := range args {
		if strings.Contains(a, rootMarker) {
			return true
		}
	}
	return debugInfo(p.Args)
}

// debugInfo reports whether args ask for debug info: the last -g option
// that is not -g0 wins.
func debugInfo(args []string) bool {
	on := false
	for _, a := range args[1:] {
		switch {
		case a == "-g0" || a == "-ggdb0" || a == "-gline-tables-only=0":
			on = false
		case strings.HasPrefix(a, "-g") && a != "-gno-record-gcc-switches" && a != "-grecord-gcc-switches":
			on = true
		}
	}
	return on
}

// script writes the sh program that runs args with R substituted. The
// compiler's line is the one that ends in its stderr's redirection, the
// compiler its first word: rex's worker reads it there (worker/watch.go).
func script(args []string, workDir string, pathOutputs []string, exports []envExport) string {
	up := "."
	if workDir != "" {
		up = strings.TrimSuffix(strings.Repeat("../", strings.Count(workDir, "/")+1), "/")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "R=$(cd %s && pwd -P) || exit %d\n", up, scriptFailure)
	fmt.Fprintf(&b, "case $R in *[!A-Za-z0-9/._+-]*) echo '%sunsupported input root path' \"$R\" >&2; exit %d;; esac\n", scriptMessage, scriptFailure)
	b.WriteString("Rq=$(printf '%s' \"$R\" | sed 's/[.]/\\\\./g')\n")
	b.WriteString("e=.rex-stderr-$$\n")
	for _, e := range exports {
		fmt.Fprintf(&b, "%s=%s; export %s\n", e.name, shellWord(e.value), e.name)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellWord(a)
	}
	fmt.Fprintf(&b, "%s 2>\"$e\"\n", strings.Join(quoted, " "))
	b.WriteString("s=$?\n")
	fmt.Fprintf(&b, "sed \"s|$Rq|%s|g\" \"$e\" >&2; rm -f \"$e\"\n", rootPlaceholder)
	for _, out := range pathOutputs {
		d := shellWord(path.Clean(out))
		fmt.Fprintf(&b, "if [ $s -eq 0 ] && [ -f %s ]; then sed \"s|$Rq|%s|g\" %s > %s.rex && mv %s.rex %s || { echo '%srewrite of %s failed' >&2; exit %d; }; fi\n",
			d, rootPlaceholder, d, d, d, d, scriptMessage, out, scriptFailure)
	}
	b.WriteString("exit $s\n")
	return b.String()
}

// shellWord quotes a for sh, with rootMarker becoming "$R".
func shellWord(a string) string {
	parts := strings.Split(a, rootMarker)
	for i, p := range parts {
		if p != "" {
			parts[i] = "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
		}
	}
	w := strings.Join(parts, `"$R"`)
	if w == "" {
		return "''"
	}
	return w
}

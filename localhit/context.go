package localhit

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/digest"
)

// Context is everything besides files that decides what a compile reads
// and which action it is: the key of its direct-mode record. The files
// (the source among them) are the record's facts.
type Context struct {
	// Identity and Compiler are the toolchain's identity and the path of
	// the compiler that runs.
	Identity, Compiler string
	Dir                string // the working directory
	ProjectRoot        string // as configured; "" for the default
	Function           string // the digest function's name
	CacheOnly          bool
	// Args are the arguments with response files expanded (a response
	// file's content is the compile's as much as argv is); Argv is the
	// command as it runs, with the colour option a terminal asks for.
	Args, Argv []string
	Platform   map[string]string // the properties sent with every action
	Env        map[string]string // the user's environment
}

// Key names the context's record. Its version changes whenever the action
// a context leads to changes for the same files: a record names the action
// it found, and an older rex's record would serve that action's result
// (v3: the prefix maps of the remote command, with which clang's objects
// of v2 embedded the local root where the user had mapped it).
func (c Context) Key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rex direct v3\x00%s\x00%s\x00%s\x00", c.Identity, c.Compiler, c.Dir)
	fmt.Fprintf(&b, "root=%s\x00digest=%s\x00cache-only=%t\x00", c.ProjectRoot, c.Function, c.CacheOnly)
	for _, a := range c.Args {
		b.WriteString(a)
		b.WriteByte(0)
	}
	b.WriteString("argv\x00")
	for _, a := range c.Argv {
		b.WriteString(a)
		b.WriteByte(0)
	}
	b.WriteString("platform\x00")
	for _, k := range slices.Sorted(maps.Keys(c.Platform)) {
		fmt.Fprintf(&b, "%s=%s\x00", k, c.Platform[k])
	}
	b.WriteString("env\x00")
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		if keyed, local := compiler.EnvPolicy(k); keyed || local != "" || k == "PATH" || slices.Contains(IncludePathEnv, k) {
			fmt.Fprintf(&b, "%s=%s\x00", k, c.Env[k])
		}
	}
	return digest.SHA256.FromBytes([]byte(b.String())).Hash
}

package wrapper

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
)

// actionPlan is everything needed to look up, run and materialise one
// remote compile.
type actionPlan struct {
	action       *repb.Action
	actionDigest digest.Digest
	command      *repb.Command
	// blobs holds the input tree, the Command and the Action: everything
	// the server needs before Execute. messages is its last part, the
	// Command and the Action alone.
	blobs, messages []client.Blob
	// outputs are the files the compile writes, relative to the cwd (which
	// is the remote working directory).
	outputs []string
	// object is the main output, removed after a failed compile as gcc does.
	object string
	// depFile is the dependency file among outputs, or "".
	depFile string
	// pathOutputs are the text outputs that name source paths (the dep
	// file, -fstack-usage's .su files): no prefix map reaches them, so a
	// portable command rewrites the worker's root in them.
	pathOutputs []string
	// portable is set when the command is the root-independent script:
	// its dep file and stderr carry rootPlaceholder for localRoot.
	portable  bool
	localRoot string
}

// remoteEnvPath is the PATH of every remote command. The user's own PATH
// would fragment the cache; the compiler's identity is in the key anyway.
const remoteEnvPath = "/usr/local/bin:/usr/bin:/bin"

// passedEnv are the variables that change what a compiler writes (locale of
// diagnostics, include paths, reproducible timestamps). They are forwarded,
// and so are part of the key, only when set.
var passedEnv = []string{
	"LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANGUAGE",
	"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH",
	"SOURCE_DATE_EPOCH", "GCC_EXEC_PREFIX", "COMPILER_PATH",
	"GCC_COLORS", "GCC_URLS", "TERM_URLS", // diagnostics' colours and links: see local.go
}

// localOnlyEnv are variables that make the compiler write files rex does not
// know about.
var localOnlyEnv = []string{"DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES"}

func planAction(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, fn digest.Function, ph *phases) (*actionPlan, error) {
	env := envMap(inv.Env)
	for _, name := range localOnlyEnv {
		if _, ok := env[name]; ok {
			return nil, localf("%s is set", name)
		}
	}
	argv0 := p.Args[0]
	if strings.Contains(argv0, "/") && !filepath.IsAbs(argv0) {
		return nil, localf("compiler %s is a relative path", argv0)
	}
	l := newLayout(cfg.ProjectRoot, inv.Dir)
	plan := &actionPlan{localRoot: l.root}
	if err := plan.setOutputs(l, p); err != nil {
		return nil, err
	}
	deps, err := depscan.Scan(ctx, p, inv.Dir, inv.Env)
	if err != nil {
		// Most often a missing header or a preprocessor error: the local
		// compile prints the exact diagnostics.
		return nil, localf("dependency scan: %v", err)
	}
	ph.mark("scan")
	inputs, err := collectInputs(l, deps, cfg.StateDir)
	if err != nil {
		return nil, err
	}
	compilerPath, err := lookPath(argv0, inv.Env)
	if err != nil {
		return nil, localf("%v", err)
	}
	identity, err := compilerIdentity(ctx, cfg.StateDir, compilerPath)
	if err != nil {
		return nil, localf("%v", err)
	}
	plan.command, plan.portable = buildCommand(p, l, env, plan, filepath.Dir(compilerPath))
	err = plan.finish(fn, cfg, inputs, identity)
	ph.mark("key")
	return plan, err
}

// setOutputs maps the compile's outputs to paths relative to the working
// directory; an output rex cannot place there keeps the compile local, and
// so does an option whose outputs no remote compile can reproduce.
func (plan *actionPlan) setOutputs(l layout, p *compiler.Invocation) error {
	for _, out := range p.Outputs {
		rel, err := l.outputPath(out)
		if err != nil {
			return err
		}
		plan.outputs = append(plan.outputs, rel)
	}
	sort.Strings(plan.outputs)
	if plan.object, _ = l.outputPath(p.Output); plan.object == "" {
		return localf("no object output")
	}
	if p.DepFile != "" {
		var err error
		if plan.depFile, err = l.outputPath(p.DepFile); err != nil {
			return err
		}
	}
	for _, out := range plan.outputs {
		if strings.HasSuffix(out, ".su") && out != plan.depFile {
			plan.pathOutputs = append(plan.pathOutputs, out)
		}
	}
	if plan.depFile != "" {
		plan.pathOutputs = append(plan.pathOutputs, plan.depFile) // written last
	}
	if flag := unreproducible(p.Args); flag != "" {
		return localf("%s writes the build directory's path into its outputs", flag)
	}
	if filepath.IsAbs(p.Output) && slices.ContainsFunc(p.Args, func(a string) bool { return strings.HasPrefix(a, "-gsplit-dwarf") }) {
		// The object names its .dwo by the -o path as written, and no
		// prefix map rewrites that name.
		return localf("-gsplit-dwarf with an absolute -o records the .dwo's absolute path")
	}
	return nil
}

// buildCommand writes the remote Command. The compiler's own directory leads
// the remote PATH, so the worker runs the same compiler the user's PATH
// found, not whichever comes first in the standard directories.
func buildCommand(p *compiler.Invocation, l layout, env map[string]string, plan *actionPlan, compilerDir string) (*repb.Command, bool) {
	rc := buildRemoteArgv(p, l, plan.pathOutputs)
	cmd := &repb.Command{
		Arguments:        rc.argv,
		OutputPaths:      plan.outputs,
		WorkingDirectory: l.workDir,
	}
	path := remoteEnvPath
	if !strings.HasPrefix(path, compilerDir+":") {
		path = compilerDir + ":" + path
	}
	vars := []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: path}}
	for _, name := range passedEnv {
		if v, ok := env[name]; ok {
			vars = append(vars, &repb.Command_EnvironmentVariable{Name: name, Value: v})
		}
	}
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	cmd.EnvironmentVariables = vars
	return cmd, rc.portable
}

// unreproducible names an option whose outputs embed the build directory
// in a way no prefix map undoes, or "". The compiler model already runs
// --coverage and -fprofile-arcs locally; -ftest-coverage alone it models
// (its .gcno output), but .gcno files record the build directory and a
// per-compile stamp, so a remote one could never match a local one.
func unreproducible(args []string) string {
	for _, a := range args[1:] {
		if a == "-ftest-coverage" {
			return a
		}
	}
	return ""
}

// finish builds the Merkle tree, the salt and the Action, and collects the
// blobs to upload.
func (plan *actionPlan) finish(fn digest.Function, cfg Config, inputs inputSet, identity string) error {
	root, treeBlobs, err := client.BuildTree(fn, inputs.tree)
	if err != nil {
		return fmt.Errorf("input tree: %w", err)
	}
	cmdDigest, cmdBytes, err := fn.FromMessage(plan.command)
	if err != nil {
		return err
	}
	plan.action = &repb.Action{
		CommandDigest:   cmdDigest.Proto(),
		InputRootDigest: root.Proto(),
		Salt:            salt(fn, identity, inputs.system),
		Platform:        platform(cfg.Platform),
	}
	if plan.action.Platform != nil {
		plan.command.Platform = plan.action.Platform
		if cmdDigest, cmdBytes, err = fn.FromMessage(plan.command); err != nil {
			return err
		}
		plan.action.CommandDigest = cmdDigest.Proto()
	}
	actionDigest, actionBytes, err := fn.FromMessage(plan.action)
	if err != nil {
		return err
	}
	plan.actionDigest = actionDigest
	plan.blobs = append(treeBlobs,
		client.Blob{Digest: cmdDigest, Data: cmdBytes},
		client.Blob{Digest: actionDigest, Data: actionBytes})
	plan.messages = plan.blobs[len(treeBlobs):]
	return nil
}

// salt folds what the input tree cannot show into the key: the compiler's
// identity and the content of every system header the compile reads.
func salt(fn digest.Function, identity string, system []systemFile) []byte {
	var b strings.Builder
	b.WriteString("rex action v1\n")
	b.WriteString(identity)
	b.WriteByte('\n')
	for _, f := range system {
		fmt.Fprintf(&b, "%s %s\n", f.path, f.digest)
	}
	return []byte(fn.FromBytes([]byte(b.String())).Hash)
}

func platform(props map[string]string) *repb.Platform {
	if len(props) == 0 {
		return nil
	}
	p := &repb.Platform{}
	for name, value := range props {
		p.Properties = append(p.Properties, &repb.Platform_Property{Name: name, Value: value})
	}
	sort.Slice(p.Properties, func(i, j int) bool {
		a, b := p.Properties[i], p.Properties[j]
		return a.Name < b.Name || a.Name == b.Name && a.Value < b.Value
	})
	return p
}

func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// removeStale deletes the object after a failed compile, as the compiler
// itself does, so make never mistakes an old object for a fresh one.
func removeStale(dir, object string) {
	os.Remove(filepath.Join(dir, object))
}

package wrapper

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
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
	// depFile is the dependency file relative to the cwd, or "". The scan
	// wrote it to depTemp; it is renamed into place after the outputs.
	depFile, depTemp string
	// pathOutputs are the text outputs that name source paths
	// (-fstack-usage's .su files): no prefix map reaches them, so a
	// portable command rewrites the worker's root in them.
	pathOutputs []string
	// portable is set when the command is the root-independent script:
	// its dep file and stderr carry rootPlaceholder for localRoot.
	portable  bool
	localRoot string
	// inputPaths are the absolute paths of the inputs the key hashes;
	// inputStamps their stat data from before the hashing (cache-only).
	inputPaths  []string
	inputStamps inputStamps
}

// passedEnv are the variables that change what a compiler writes (locale of
// diagnostics, reproducible timestamps, diagnostic colours). They are
// forwarded, and so are part of the key, only when set.
var passedEnv = []string{
	"LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANGUAGE",
	"SOURCE_DATE_EPOCH", "GCC_COLORS", "GCC_URLS", "TERM_URLS",
}

// includePathEnv are the variables that add include directories. Their
// directories are inputs like -I ones: a project directory in them is
// uploaded and named under the input root.
var includePathEnv = []string{"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH"}

// localOnlyEnv are variables that make the compiler read or write files
// rex does not know about: other programs or specs (GCC_EXEC_PREFIX,
// COMPILER_PATH), extra options (CCC_OVERRIDE_OPTIONS), dependency output.
var localOnlyEnv = []string{
	"DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES", "GCC_EXEC_PREFIX", "COMPILER_PATH",
	"CCC_OVERRIDE_OPTIONS", "GCC_COMPARE_DEBUG",
}

func planAction(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, fn digest.Function, ph *phases) (plan *actionPlan, err error) {
	env := envMap(inv.Env)
	for _, name := range localOnlyEnv {
		if _, ok := env[name]; ok {
			return nil, localf("%s is set", name)
		}
	}
	tc, err := toolchain.Load(ctx, cfg.StateDir, p.Args[0], inv.Dir, inv.Env)
	if err != nil {
		return nil, localf("%v", err)
	}
	plan = &actionPlan{}
	defer func() {
		if err != nil {
			plan.discard()
		}
	}()
	if p.DepFile != "" {
		if plan.depTemp, err = depTempPath(inv.Dir, p.DepFile); err != nil {
			return nil, err
		}
	}
	scan, err := depscan.Scan(ctx, depscan.Request{Compiler: tc.Path, Inv: p, Dir: inv.Dir, Env: inv.Env, DepFile: plan.depTemp})
	if err != nil {
		// Most often a missing header or a preprocessor error: the local
		// compile prints the exact diagnostics.
		return nil, localf("dependency scan: %v", err)
	}
	ph.mark("scan")
	set, err := classify(inv.Dir, tc, scan.Deps)
	if err != nil {
		return nil, err
	}
	plan.inputPaths = set.paths()
	plan.inputStamps = stampsFor(cfg, plan.inputPaths)
	if err := digestSystemFiles(cfg.StateDir, set.system); err != nil {
		return nil, localf("%v", err)
	}
	hits, err := probeHits(inv.Dir, set, scan.Search, cfg.StateDir)
	if err != nil {
		return nil, err
	}
	if added := set.addProbeHits(hits, tc.Contains); len(added) > 0 {
		plan.inputPaths = append(plan.inputPaths, added...)
		for p, st := range stampsFor(cfg, added) {
			plan.inputStamps[p] = st
		}
	}
	l := newLayout(cfg.ProjectRoot, inv.Dir)
	l.isToolchain, l.toolchainDirs = tc.Contains, tc.Dirs
	if err := widenForCompile(&l, p, set, scan.Search, env); err != nil {
		return nil, err
	}
	if err := set.buildTree(l); err != nil {
		return nil, err
	}
	plan.localRoot = l.rootText()
	if err := plan.setOutputs(l, p); err != nil {
		return nil, err
	}
	plan.command, plan.portable = buildCommand(p, l, env, plan, tc)
	err = plan.finish(fn, cfg, set, tc.Identity)
	ph.mark("key")
	return plan, err
}

// widenForCompile widens the root to hold everything the compile names
// outside the toolchain: the cwd, its project inputs, its outputs, and every
// directory or file its options and include variables name (whether it
// exists or not: a worker must not find one of its own there).
func widenForCompile(l *layout, p *compiler.Invocation, set inputSet, search depscan.SearchList, env map[string]string) error {
	var named []string
	p.RemoteArgs(func(path string) string { named = append(named, path); return path })
	named = append(named, search.Quote...)
	named = append(named, search.Angle...)
	for _, name := range includePathEnv {
		if v, ok := env[name]; ok {
			named = append(named, filepath.SplitList(v)...)
		}
	}
	for _, f := range set.project {
		l.widen(f.clean)
	}
	for _, n := range named {
		if n == "" {
			continue
		}
		abs := l.abs(n)
		switch {
		case l.isToolchain(abs) && !filepath.IsAbs(n):
			return localf("%s names the toolchain by a relative path", n)
		case l.isToolchain(abs):
		case l.holdsToolchain(abs):
			return localf("%s holds toolchain directories", n)
		default:
			l.widen(abs)
		}
	}
	return nil
}

// depTempPath is where the scan writes the dependency file until the
// compile's outcome is known: beside it, so that a rename puts it in place.
// The name has no comma, which -Wp,-MD,FILE would split.
func depTempPath(cwd, depFile string) (string, error) {
	p := depFile
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	dir := filepath.Dir(p)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", localf("the dependency file's directory %s does not exist", dir)
	}
	return filepath.Join(dir, fmt.Sprintf(".rex-%d-%d.d", os.Getpid(), time.Now().UnixNano())), nil
}

// discard removes what planning left behind for a compile that does not
// run remotely.
func (plan *actionPlan) discard() {
	if plan != nil && plan.depTemp != "" {
		os.Remove(plan.depTemp)
	}
}

// setOutputs maps the compile's outputs to paths relative to the working
// directory; an output rex cannot place there keeps the compile local, and
// so does an option whose outputs no remote compile can reproduce.
func (plan *actionPlan) setOutputs(l layout, p *compiler.Invocation) error {
	for _, out := range p.RemoteOutputs() {
		rel, err := l.outputPath(out)
		if err != nil {
			return err
		}
		plan.outputs = append(plan.outputs, rel)
		if strings.HasSuffix(rel, ".su") {
			plan.pathOutputs = append(plan.pathOutputs, rel)
		}
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

// buildCommand writes the remote Command: the compiler the key names, by
// the path the user's PATH found, with a PATH that finds the programs it
// runs where the user's finds them.
func buildCommand(p *compiler.Invocation, l layout, env map[string]string, plan *actionPlan, tc *toolchain.Toolchain) (*repb.Command, bool) {
	exports, pass := includePaths(l, env)
	rc := buildRemoteArgv(p, l, plan.pathOutputs, exports, tc.Path)
	cmd := &repb.Command{
		Arguments:        rc.argv,
		OutputPaths:      plan.outputs,
		WorkingDirectory: l.workDir,
	}
	vars := []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: tc.SearchPath}}
	for _, name := range passedEnv {
		if v, ok := env[name]; ok {
			pass = append(pass, &repb.Command_EnvironmentVariable{Name: name, Value: v})
		}
	}
	vars = append(vars, pass...)
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	cmd.EnvironmentVariables = vars
	return cmd, rc.portable
}

// includePaths maps the include-path variables: one whose directories
// stay as they are is passed in the Command's environment; one naming a
// project directory is exported by the portable script, with that
// directory under the worker's root.
func includePaths(l layout, env map[string]string) (exports []envExport, pass []*repb.Command_EnvironmentVariable) {
	for _, name := range includePathEnv {
		v, ok := env[name]
		if !ok {
			continue
		}
		dirs := filepath.SplitList(v)
		marked := false
		for i, d := range dirs {
			if m := l.markArg(d); m != d {
				dirs[i], marked = m, true
			}
		}
		if marked {
			exports = append(exports, envExport{name: name, value: strings.Join(dirs, ":")})
		} else {
			pass = append(pass, &repb.Command_EnvironmentVariable{Name: name, Value: v})
		}
	}
	return exports, pass
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
		Salt:            salt(fn, identity, inputs.system, inputs.probed),
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
// identity, the content of every system header the compile reads, and the
// toolchain files its probes found.
func salt(fn digest.Function, identity string, system []systemFile, probed []string) []byte {
	var b strings.Builder
	b.WriteString("rex action v2\n")
	b.WriteString(identity)
	b.WriteByte('\n')
	for _, f := range system {
		fmt.Fprintf(&b, "%s %s\n", f.path, f.digest)
	}
	for _, p := range probed {
		fmt.Fprintf(&b, "probed %s\n", p)
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

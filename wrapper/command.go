package wrapper

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/toolchain"
)

// keyedEnv are the variables of env, other than the include paths, that
// the remote command gets and the key covers (compiler.EnvPolicy).
func keyedEnv(env map[string]string) []*repb.Command_EnvironmentVariable {
	var vars []*repb.Command_EnvironmentVariable
	for name, v := range env {
		if keyed, _ := compiler.EnvPolicy(name); keyed && !slices.Contains(includePathEnv, name) {
			vars = append(vars, &repb.Command_EnvironmentVariable{Name: name, Value: v})
		}
	}
	return vars
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
	if m := rivalMaps(p.Args, l); m != "" {
		return localf("prefix maps of two directories both map the root: %s and another; gcc and clang choose between them by different rules, which no remote command follows for both", m)
	}
	if m := emptyCompileDir(p.Args, l); m != "" && debugInfo(p.Args) {
		return localf("debug info with the compile directory mapped to nothing: %s; the assembler then records the directory it runs in", m)
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
	vars = append(append(vars, pass...), keyedEnv(env)...)
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

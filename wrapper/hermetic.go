package wrapper

import (
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// Hermetic mode (--hermetic) sends the toolchain with the action, for
// workers that run it with the input root as "/" (rex-worker --sandbox
// hermetic, Buildbarn's chrootIntoInputRoot): any such worker compiles,
// whatever it has installed. The input root holds the captured toolchain
// (toolchain.Capture: the driver, the programs it runs, their libraries and
// loader) and the toolchain files this compile reads (system headers, what
// its probes found) at their absolute paths, and the project's tree under
// hermeticRoot. The captured tree's digest is the compiler identity in the
// key: the worker sees nothing else, so whatever the compile reads that the
// capture missed is missing there, and the compile fails loudly (rex then
// compiles locally, see rexfault.go) instead of reading another copy.
//
// The project lies at one fixed place on every worker, so the command
// names it directly rather than through the portable script (which would
// need a shell in the root); results carry hermeticRoot where the local
// root belongs, and localize puts it back.
const hermeticRoot = "/rex/root"

// captureToolchain returns the toolchain tree of tc for this compile.
func captureToolchain(ctx context.Context, cfg Config, tc *toolchain.Toolchain, inv Invocation, fn digest.Function) (*toolchain.Tree, error) {
	tree, err := toolchain.Capture(ctx, cfg.StateDir, tc, fn, inv.Env)
	if err != nil {
		return nil, localf("hermetic: %v", err)
	}
	return tree, nil
}

// hermeticInputs turns the project's tree (laid out by buildTree) into the
// whole hermetic input root.
func (set *inputSet) hermeticInputs(tree *toolchain.Tree) error {
	// An empty /tmp for the compiler's temporary files, where a worker
	// does not mount its own (Buildbarn's chroot).
	ins := []client.Input{{Path: hermeticRoot[1:], IsDir: true}, {Path: "tmp", IsDir: true}}
	for _, in := range set.tree {
		in.Path = path.Join(hermeticRoot[1:], in.Path)
		ins = append(ins, in)
	}
	tc, err := set.toolchainInputs(tree)
	if err != nil {
		return err
	}
	ins = append(ins, tc...)
	sort.Slice(ins, func(i, j int) bool { return ins[i].Path < ins[j].Path })
	for _, in := range ins {
		if top, _, _ := strings.Cut(in.Path, "/"); slices.Contains(workerOwn, top) && in.Path != "tmp" {
			return localf("hermetic: the toolchain's /%s lies where a hermetic worker mounts its own /%s", in.Path, top)
		}
	}
	set.tree = ins
	return nil
}

// toolchainInputs are the captured tree and the toolchain files this
// compile reads, at their real paths, with the symlinks that lead there.
func (set *inputSet) toolchainInputs(tree *toolchain.Tree) ([]client.Input, error) {
	var ins []client.Input
	have := map[string]bool{}
	for _, f := range tree.Files {
		have[f.Path] = true
		ins = append(ins, client.Input{Path: f.Path[1:], Source: f.Path, Digest: f.Digest, Executable: f.Exec})
	}
	read, dirs := set.toolchainReads()
	real, links, err := toolchain.Place(read)
	if err != nil {
		return nil, localf("hermetic: %v", err)
	}
	for _, r := range real {
		if !have[r] {
			have[r] = true
			ins = append(ins, client.Input{Path: r[1:], Source: r})
		}
	}
	for _, d := range dirs {
		ins = append(ins, client.Input{Path: d[1:], IsDir: true})
	}
	for p, target := range tree.Links {
		if other, ok := links[p]; ok && other != target {
			return nil, localf("hermetic: %s changed from %s to %s since the toolchain was captured", p, target, other)
		}
		links[p] = target
	}
	for p, target := range links {
		ins = append(ins, client.Input{Path: p[1:], Symlink: target})
	}
	return ins, nil
}

// workerOwn are the directories a hermetic worker mounts over the root's.
var workerOwn = []string{"dev", "proc", "tmp"}

// toolchainReads are the toolchain files the compile reads or found by a
// probe, and the directories its probes found.
func (set *inputSet) toolchainReads() (files, dirs []string) {
	for _, f := range set.system {
		files = append(files, f.path)
	}
	for _, p := range set.probed {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
	}
	return files, dirs
}

// hermeticCommand writes the remote Command of a hermetic action: the
// driver by its absolute path in the root, the project's paths under
// hermeticRoot, and prefix maps that put the local root back wherever the
// compiler records paths.
func hermeticCommand(p *compiler.Invocation, l layout, env map[string]string, plan *actionPlan, tc *toolchain.Toolchain) (*repb.Command, error) {
	if len(plan.pathOutputs) > 0 {
		return nil, localf("hermetic: %s names paths no prefix map reaches", strings.Join(plan.pathOutputs, " "))
	}
	exports, pass := includePaths(l, env)
	args := p.RemoteArgs(l.markArg)
	args[0] = tc.Path
	args = markPrefixMaps(args, l)
	if needsScript(args, p) && !coveringMap(args) {
		// As in buildRemoteArgv: embed what the local compiler would.
		args = rootMaps(args, l)
	}
	for i := range args {
		args[i] = strings.ReplaceAll(args[i], rootMarker, hermeticRoot)
	}
	vars := []*repb.Command_EnvironmentVariable{{Name: "PATH", Value: tc.SearchPath}}
	for _, e := range exports {
		vars = append(vars, &repb.Command_EnvironmentVariable{Name: e.name, Value: strings.ReplaceAll(e.value, rootMarker, hermeticRoot)})
	}
	vars = append(append(vars, pass...), keyedEnv(env)...)
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	return &repb.Command{
		Arguments:            args,
		OutputPaths:          plan.outputs,
		WorkingDirectory:     path.Join(hermeticRoot[1:], l.workDir),
		EnvironmentVariables: vars,
	}, nil
}

// hermeticIdentity is the compiler identity of a hermetic action.
func hermeticIdentity(tree *toolchain.Tree) string {
	return fmt.Sprintf("rex hermetic v1\ntoolchain %s %s\n", tree.Function, tree.Root)
}

// makeHermetic turns a planned compile into a hermetic action: the input
// root with the toolchain, the Command that runs in it, and the identity.
func (plan *actionPlan) makeHermetic(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, l layout, set *inputSet, tc *toolchain.Toolchain, fn digest.Function) (string, error) {
	tree, err := captureToolchain(ctx, cfg, tc, inv, fn)
	if err != nil {
		return "", err
	}
	if err := set.hermeticInputs(tree); err != nil {
		return "", err
	}
	if plan.command, err = hermeticCommand(p, l, envMap(inv.Env), plan, tc); err != nil {
		return "", err
	}
	plan.portable, plan.hermetic = true, true
	plan.toolchainSeen = newToolchainSeen(cfg, fn, tree)
	return hermeticIdentity(tree), nil
}

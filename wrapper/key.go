package wrapper

import (
	"strings"

	"github.com/rexbuild/rex/explain"
)

// describe builds the plan's Key from the Command, the platform and the
// inputs the action was made of.
func (plan *actionPlan) describe(inputs inputSet, identity string, props map[string]string) *explain.Key {
	k := &explain.Key{
		Action:   plan.actionDigest.String(),
		Compiler: strings.Split(strings.TrimSpace(identity), "\n"),
		Argv:     plan.command.GetArguments(),
		Env:      map[string]string{},
		WorkDir:  plan.command.GetWorkingDirectory(),
		Platform: props,
		Inputs:   map[string]string{},
		Probes:   inputs.probed,
	}
	for _, v := range plan.command.GetEnvironmentVariables() {
		k.Env[v.GetName()] = v.GetValue()
	}
	for _, f := range inputs.system {
		k.Inputs[f.path] = f.digest.String()
	}
	// BuildTree gave every file of the tree its digest, at its path.
	for _, in := range inputs.tree {
		if !in.IsDir && in.Symlink == "" {
			k.Inputs[in.Path] = in.Digest.String()
		}
	}
	return k
}

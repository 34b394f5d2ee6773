package wrapper

import "strings"

// Key says what an action digest covers, in terms a person can compare:
// `rex explain` puts two of them side by side to say why a compile missed.
// It is built from what the digest was computed from, never recomputed.
type Key struct {
	Action string `json:"action"`
	// Compiler is the toolchain's identity, one fact a line: programs and
	// their digests, version, target, specs, built-in directories.
	Compiler []string `json:"compiler"`
	// Argv and Env are the remote command's arguments and environment.
	Argv    []string          `json:"argv"`
	Env     map[string]string `json:"env"`
	WorkDir string            `json:"work_dir,omitempty"`
	// Platform holds the properties sent with the action.
	Platform map[string]string `json:"platform,omitempty"`
	// Inputs maps every file the key hashes to its digest: project files
	// by their path in the input root, toolchain files by absolute path.
	Inputs map[string]string `json:"inputs"`
	// Probes are the negative facts: toolchain files a __has_include
	// looked for and found.
	Probes []string `json:"probes,omitempty"`
}

// describe builds the plan's Key from the Command, the platform and the
// inputs the action was made of.
func (plan *actionPlan) describe(inputs inputSet, identity string, props map[string]string) *Key {
	k := &Key{
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

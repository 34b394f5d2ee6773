package explain

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

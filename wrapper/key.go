package wrapper

import (
	"fmt"
	"path"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

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
func (plan *actionPlan) describe(inputs inputSet, identity string, props map[string]string, treeBlobs []client.Blob) *Key {
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
	root, err := digest.FromProto(plan.action.GetInputRootDigest())
	if err == nil {
		treeFiles(root, directories(treeBlobs), "", k.Inputs)
	}
	return k
}

// directories indexes the tree's Directory messages by digest.
func directories(blobs []client.Blob) map[digest.Digest][]byte {
	dirs := map[digest.Digest][]byte{}
	for _, b := range blobs {
		if b.Path == "" && b.Data != nil {
			dirs[b.Digest] = b.Data
		}
	}
	return dirs
}

// treeFiles lists the files under the directory d, at their paths in the
// input root.
func treeFiles(d digest.Digest, dirs map[digest.Digest][]byte, prefix string, out map[string]string) {
	var dir repb.Directory
	if data, ok := dirs[d]; !ok || proto.Unmarshal(data, &dir) != nil {
		return
	}
	for _, f := range dir.GetFiles() {
		out[path.Join(prefix, f.GetName())] = fmt.Sprintf("%s/%d", f.GetDigest().GetHash(), f.GetDigest().GetSizeBytes())
	}
	for _, sub := range dir.GetDirectories() {
		if sd, err := digest.FromProto(sub.GetDigest()); err == nil {
			treeFiles(sd, dirs, path.Join(prefix, sub.GetName()), out)
		}
	}
}

package cas

import (
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// keyOf validates a digest message found in what; errors are InvalidArgument.
func keyOf(f digest.Function, p *repb.Digest, what string) (Key, error) {
	d, err := digest.FromProto(p)
	if err != nil {
		return Key{}, status.Errorf(codes.InvalidArgument, "%s: %v", what, err)
	}
	return Key{Function: f, Digest: d}, nil
}

// resultRefs lists the blobs an ActionResult references directly, and
// separately the output Tree blobs whose files it references in turn.
func resultRefs(f digest.Function, r *repb.ActionResult) (direct, trees []Key, err error) {
	add := func(p *repb.Digest, what string) error {
		k, err := keyOf(f, p, what)
		if err == nil {
			direct = append(direct, k)
		}
		return err
	}
	for _, o := range r.GetOutputFiles() {
		if err := add(o.GetDigest(), "output file "+o.GetPath()); err != nil {
			return nil, nil, err
		}
	}
	for _, o := range r.GetOutputDirectories() {
		if err := add(o.GetTreeDigest(), "output directory "+o.GetPath()); err != nil {
			return nil, nil, err
		}
		trees = append(trees, direct[len(direct)-1])
	}
	for _, s := range []struct {
		d    *repb.Digest
		what string
	}{{r.GetStdoutDigest(), "stdout"}, {r.GetStderrDigest(), "stderr"}} {
		if s.d == nil {
			continue
		}
		if err := add(s.d, s.what); err != nil {
			return nil, nil, err
		}
	}
	return direct, trees, nil
}

// validateResult checks the paths of an ActionResult: every output path is
// relative, non-empty and stays inside the working directory, and no
// symlink points at an absolute path (the server advertises DISALLOWED).
func validateResult(r *repb.ActionResult) error {
	if r == nil {
		return status.Error(codes.InvalidArgument, "missing action result")
	}
	var paths []string
	for _, o := range r.GetOutputFiles() {
		paths = append(paths, o.GetPath())
	}
	for _, o := range r.GetOutputDirectories() {
		paths = append(paths, o.GetPath())
	}
	links := append(append(append([]*repb.OutputSymlink{}, r.GetOutputSymlinks()...),
		r.GetOutputFileSymlinks()...), r.GetOutputDirectorySymlinks()...)
	for _, l := range links {
		paths = append(paths, l.GetPath())
		if strings.HasPrefix(l.GetTarget(), "/") {
			return status.Errorf(codes.InvalidArgument, "output symlink %q: absolute target %q", l.GetPath(), l.GetTarget())
		}
	}
	for _, p := range paths {
		if err := ValidateOutputPath(p); err != nil {
			return err
		}
	}
	return nil
}

// ValidateOutputPath reports (as InvalidArgument) an output path that is
// empty, absolute, or has a ".." segment that could escape the working
// directory.
func ValidateOutputPath(p string) error {
	if p == "" {
		return status.Error(codes.InvalidArgument, "empty output path")
	}
	if strings.HasPrefix(p, "/") {
		return status.Errorf(codes.InvalidArgument, "output path %q is absolute", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return status.Errorf(codes.InvalidArgument, "output path %q escapes the working directory", p)
		}
	}
	return nil
}

// validKey reports whether k names a blob a store can hold: a supported
// function and a well-formed digest. Stores build file names from keys, so
// an unchecked hash must never reach them.
func validKey(k Key) bool {
	if !k.Function.IsValid() {
		return false
	}
	_, err := digest.New(k.Digest.Hash, k.Digest.Size)
	return err == nil
}

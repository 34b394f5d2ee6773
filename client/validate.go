package client

import (
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// ValidateDirectory checks a Directory received from a server before rex
// trusts its names to build paths: every name is non-empty, has no '/' or
// NUL, is not "." or ".."; files, directories and symlinks are each sorted
// by name; a name appears once across all three; digests are well formed;
// symlink targets are non-empty. Errors carry code InvalidArgument.
func ValidateDirectory(d *repb.Directory) error {
	if d == nil {
		return status.Error(codes.InvalidArgument, "directory: missing")
	}
	names := make(map[string]bool, len(d.GetFiles())+len(d.GetDirectories())+len(d.GetSymlinks()))
	check := func(kind, name, prev string, i int) error {
		if err := checkName(name); err != nil {
			return status.Errorf(codes.InvalidArgument, "directory: %s %d: %v", kind, i, err)
		}
		if i > 0 && name <= prev {
			return status.Errorf(codes.InvalidArgument, "directory: %s %q: not sorted after %q", kind, name, prev)
		}
		if names[name] {
			return status.Errorf(codes.InvalidArgument, "directory: name %q appears twice", name)
		}
		names[name] = true
		return nil
	}
	for i, f := range d.GetFiles() {
		if err := check("file", f.GetName(), prevName(d.GetFiles(), i), i); err != nil {
			return err
		}
		if _, err := digest.FromProto(f.GetDigest()); err != nil {
			return status.Errorf(codes.InvalidArgument, "directory: file %q: %v", f.GetName(), err)
		}
	}
	for i, c := range d.GetDirectories() {
		if err := check("directory", c.GetName(), prevName(d.GetDirectories(), i), i); err != nil {
			return err
		}
		if _, err := digest.FromProto(c.GetDigest()); err != nil {
			return status.Errorf(codes.InvalidArgument, "directory: subdirectory %q: %v", c.GetName(), err)
		}
	}
	for i, s := range d.GetSymlinks() {
		if err := check("symlink", s.GetName(), prevName(d.GetSymlinks(), i), i); err != nil {
			return err
		}
		if s.GetTarget() == "" {
			return status.Errorf(codes.InvalidArgument, "directory: symlink %q: empty target", s.GetName())
		}
	}
	return nil
}

// prevName returns the name of the node before index i, or "" for i == 0.
func prevName[N interface{ GetName() string }](nodes []N, i int) string {
	if i == 0 {
		return ""
	}
	return nodes[i-1].GetName()
}

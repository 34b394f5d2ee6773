package execution

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/digest"
)

// CommandLimits bound what one Execute makes the server read and a worker
// run: the Action and Command are read whole into memory, and their argv
// and environment are copied into every lease. Beyond them Execute is
// INVALID_ARGUMENT. Zero fields take the defaults.
type CommandLimits struct {
	// MaxBytes bounds the bytes of the arguments and environment together
	// (1 MiB); the Action and Command blobs may be twice that, for their
	// output paths, platform and framing.
	MaxBytes int64
	// MaxArgs bounds the number of arguments (32768).
	MaxArgs int
	// MaxEnv bounds the number of environment variables (4096).
	MaxEnv int
}

func (l CommandLimits) withDefaults() CommandLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 1 << 20
	}
	if l.MaxArgs <= 0 {
		l.MaxArgs = 1 << 15
	}
	if l.MaxEnv <= 0 {
		l.MaxEnv = 1 << 12
	}
	return l
}

// checkBlobSize refuses an Action or Command too large to read, before it
// is read.
func (l CommandLimits) checkBlobSize(what string, d digest.Digest) error {
	if d.Size > 2*l.MaxBytes {
		return status.Errorf(codes.InvalidArgument, "%s %s is %d bytes, more than the %d allowed", what, d, d.Size, 2*l.MaxBytes)
	}
	return nil
}

// check refuses a command with too many arguments or variables, or too
// many bytes of them.
func (l CommandLimits) check(c *repb.Command) error {
	if n := len(c.GetArguments()); n > l.MaxArgs {
		return status.Errorf(codes.InvalidArgument, "command has %d arguments, more than the %d allowed", n, l.MaxArgs)
	}
	if n := len(c.GetEnvironmentVariables()); n > l.MaxEnv {
		return status.Errorf(codes.InvalidArgument, "command has %d environment variables, more than the %d allowed", n, l.MaxEnv)
	}
	var total int64
	for _, a := range c.GetArguments() {
		total += int64(len(a)) + 1
	}
	for _, v := range c.GetEnvironmentVariables() {
		total += int64(len(v.GetName()) + len(v.GetValue()) + 2)
	}
	if total > l.MaxBytes {
		return status.Errorf(codes.InvalidArgument, "command's arguments and environment are %d bytes, more than the %d allowed", total, l.MaxBytes)
	}
	return nil
}

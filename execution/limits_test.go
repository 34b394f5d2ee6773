package execution

import (
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// Commands over the limits are INVALID_ARGUMENT at Execute: too many bytes
// of arguments and environment, too many arguments, too many variables,
// and a Command or Action blob too large to read (refused unread: the
// 129 KiB "action" is not even an Action). A command
// within them is queued.
func TestOversizedCommandsAreInvalidArgument(t *testing.T) {
	o := fastOptions()
	o.Command = CommandLimits{MaxBytes: 64 << 10, MaxArgs: 100, MaxEnv: 10}
	e := newEnv(t, o)
	root := e.putMsg(&repb.Directory{}).Proto()
	withCmd := func(c *repb.Command) digest.Digest {
		return e.putMsg(&repb.Action{CommandDigest: e.putMsg(c).Proto(), InputRootDigest: root})
	}
	many := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	var env []*repb.Command_EnvironmentVariable
	for i := 0; i < 11; i++ {
		env = append(env, &repb.Command_EnvironmentVariable{Name: "V" + strings.Repeat("x", i), Value: "1"})
	}
	for name, c := range map[string]*repb.Command{
		"66 KiB of argument and environment": {Arguments: []string{"cc", strings.Repeat("a", 33<<10)},
			EnvironmentVariables: []*repb.Command_EnvironmentVariable{{Name: "E", Value: strings.Repeat("b", 33<<10)}}},
		"101 arguments":  {Arguments: many(101, "-c")},
		"11 variables":   {Arguments: []string{"cc"}, EnvironmentVariables: env},
		"a 130 KiB blob": {Arguments: []string{"cc", strings.Repeat("a", 130<<10)}},
	} {
		if err := e.executeErr(withCmd(c), nil); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
	big := e.put([]byte(strings.Repeat("x", 129<<10)))
	if err := e.executeErr(big, nil); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "more than") {
		t.Errorf("129 KiB action: %v, want InvalidArgument naming the limit", err)
	}
	stream := e.execute(ctxT(t), withCmd(&repb.Command{Arguments: many(100, "-c")}), nil)
	recv(t, stream, repb.ExecutionStage_QUEUED)
}

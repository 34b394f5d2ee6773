package doctor

import (
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/wrapper"
)

func caps(exec, updates bool, fns ...repb.DigestFunction_Value) *repb.ServerCapabilities {
	return &repb.ServerCapabilities{
		CacheCapabilities: &repb.CacheCapabilities{DigestFunctions: fns,
			ActionCacheUpdateCapabilities: &repb.ActionCacheUpdateCapabilities{UpdateEnabled: updates}},
		ExecutionCapabilities: &repb.ExecutionCapabilities{ExecEnabled: exec},
	}
}

func TestCapabilities(t *testing.T) {
	sha := repb.DigestFunction_SHA256
	for _, tc := range []struct {
		name   string
		caps   *repb.ServerCapabilities
		cfg    wrapper.Config
		failed bool
		says   string
	}{
		{"execution", caps(true, false, sha), wrapper.Config{}, false, "runs actions remotely"},
		{"cache-only server", caps(false, true, sha), wrapper.Config{}, true, "executes nothing"},
		{"cache-only client", caps(false, true, sha), wrapper.Config{CacheOnly: true}, false, "fills the server's cache"},
		{"no cache writes", caps(false, false, sha), wrapper.Config{CacheOnly: true}, false, "may not write"},
		{"digest", caps(true, false, sha), wrapper.Config{Client: clientWith(digest.BLAKE3)}, true, "does not offer blake3"},
	} {
		r := &report{}
		r.capabilities(tc.caps, tc.cfg)
		var all []string
		for _, f := range r.findings {
			all = append(all, f.Level+": "+f.Says)
		}
		if Failed(r.findings) != tc.failed || !strings.Contains(strings.Join(all, "\n"), tc.says) {
			t.Errorf("%s: %v", tc.name, all)
		}
	}
}

func clientWith(fn digest.Function) client.Config { return client.Config{DigestFunction: fn} }

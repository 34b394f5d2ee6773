package digest

import (
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
)

// The functions' own codes and names are REAPI's: a rexslim build, which
// has no REAPI enum, must name and number them as the full build does.
func TestFunctionsAreREAPIs(t *testing.T) {
	for _, v := range []repb.DigestFunction_Value{repb.DigestFunction_SHA256, repb.DigestFunction_BLAKE3} {
		f, err := FunctionFromProto(v)
		if err != nil {
			t.Fatal(err)
		}
		if f.Proto() != v || f.Name() != strings.ToLower(v.String()) {
			t.Errorf("%v: code %d, name %q", v, f.Code(), f.Name())
		}
	}
	if f, err := FunctionFromProto(repb.DigestFunction_UNKNOWN); err != nil || f != SHA256 {
		t.Errorf("UNKNOWN is %v, %v; want SHA-256", f, err)
	}
	if _, err := FunctionFromProto(repb.DigestFunction_MD5); err == nil {
		t.Error("MD5 accepted")
	}
}

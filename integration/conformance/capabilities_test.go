package conformance

import (
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	smpb "github.com/bazelbuild/remote-apis/build/bazel/semver"
)

func semverLess(a, b *smpb.SemVer) bool {
	if a.GetMajor() != b.GetMajor() {
		return a.GetMajor() < b.GetMajor()
	}
	if a.GetMinor() != b.GetMinor() {
		return a.GetMinor() < b.GetMinor()
	}
	return a.GetPatch() < b.GetPatch()
}

// testCapabilities checks what every client relies on before its first
// other call: the API versions spoken, the digest functions, batch limits,
// and whether the action cache accepts updates and actions can run.
func testCapabilities(t *testing.T, tg *target) {
	caps := tg.caps
	t.Logf("capabilities: %v", caps)
	v20 := &smpb.SemVer{Major: 2}
	lo, hi := caps.GetLowApiVersion(), caps.GetHighApiVersion()
	if lo == nil || hi == nil {
		// Servers from before v2.0 semver fields leave them unset; spec: "servers
		// SHOULD" fill them. Not fatal, but no current implementation omits them.
		t.Errorf("low/high_api_version unset: low=%v high=%v", lo, hi)
	} else {
		if semverLess(hi, lo) {
			t.Errorf("high_api_version %v < low_api_version %v", hi, lo)
		}
		// Bazel 2.1 and many deployed clients speak v2.0 only.
		if semverLess(v20, lo) || semverLess(hi, v20) {
			t.Errorf("API versions %v..%v do not include 2.0", lo, hi)
		}
	}
	cc := caps.GetCacheCapabilities()
	if cc == nil {
		t.Fatal("no cache_capabilities")
	}
	if !hasFunction(cc.GetDigestFunctions(), repb.DigestFunction_SHA256) {
		t.Errorf("cache digest_functions %v lack SHA256", cc.GetDigestFunctions())
	}
	if cc.GetMaxBatchTotalSizeBytes() < 0 {
		t.Errorf("max_batch_total_size_bytes = %d", cc.GetMaxBatchTotalSizeBytes())
	}
	if !cc.GetActionCacheUpdateCapabilities().GetUpdateEnabled() {
		t.Errorf("action_cache_update_capabilities.update_enabled is false: REX_CACHE_ONLY and Bazel --remote_cache need it")
	}
	ec := caps.GetExecutionCapabilities()
	switch {
	case tg.profile == profileFull && !ec.GetExecEnabled():
		t.Errorf("profile full but execution_capabilities.exec_enabled is false: %v", ec)
	case tg.profile == profileFull && !hasFunction(append(ec.GetDigestFunctions(), ec.GetDigestFunction()), repb.DigestFunction_SHA256):
		t.Errorf("execution digest functions %v / %v lack SHA256", ec.GetDigestFunction(), ec.GetDigestFunctions())
	case tg.profile == profileCache && ec.GetExecEnabled():
		t.Logf("profile cache, yet the server advertises execution")
	}
}

func hasFunction(vs []repb.DigestFunction_Value, want repb.DigestFunction_Value) bool {
	for _, v := range vs {
		if v == want {
			return true
		}
	}
	return false
}

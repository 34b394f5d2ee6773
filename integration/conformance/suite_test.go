package conformance

import (
	"testing"

	"github.com/rexbuild/rex/digest"
)

// check is one conformance check, run once per digest function.
type check struct {
	name string
	exec bool // needs the Execution service (full profile)
	run  func(t *testing.T, s *session)
}

var checks = []check{
	{name: "CASSmallRoundTrip", run: testCASSmallRoundTrip},
	{name: "CASLargeByteStream", run: testCASLargeByteStream},
	{name: "ByteStreamReadOffset", run: testByteStreamReadOffset},
	{name: "ByteStreamWriteExisting", run: testByteStreamWriteExisting},
	{name: "ByteStreamWrongDigest", run: testByteStreamWrongDigest},
	{name: "EmptyBlob", run: testEmptyBlob},
	{name: "FindMissingBlobs", run: testFindMissingBlobs},
	{name: "BatchUpdateWrongDigest", run: testBatchUpdateWrongDigest},
	{name: "BatchReadMissing", run: testBatchReadMissing},
	{name: "ActionCacheMiss", run: testActionCacheMiss},
	{name: "ActionCacheRoundTrip", run: testActionCacheRoundTrip},
	{name: "ActionCacheDanglingResult", run: testActionCacheDangling},
	{name: "ExecuteNonZeroExit", exec: true, run: testExecuteNonZeroExit},
	{name: "ExecuteOutputsV20", exec: true, run: testExecuteOutputsV20},
	{name: "ExecuteOutputPaths", exec: true, run: testExecuteOutputPaths},
	{name: "ExecuteMissingInput", exec: true, run: testExecuteMissingInput},
	{name: "ExecuteUnknownPlatform", exec: true, run: testExecuteUnknownPlatform},
}

// TestConformance runs every check against one endpoint, for each digest
// function both sides support.
func TestConformance(t *testing.T) {
	tg := openTarget(t)
	t.Run("Capabilities", func(t *testing.T) { testCapabilities(t, tg) })
	fns := tg.functions()
	if len(fns) == 0 {
		t.Fatalf("server lists no digest function this suite knows: %v",
			tg.caps.GetCacheCapabilities().GetDigestFunctions())
	}
	for _, f := range fns {
		t.Run(f.Name(), func(t *testing.T) {
			s := tg.session(f)
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) {
					if c.exec && !runsExec(t, tg, f) {
						return
					}
					c.run(t, s)
				})
			}
		})
	}
}

// runsExec decides whether an Execution check applies; it skips with the
// reason when it does not, and fails when the full profile is promised but
// the server cannot execute with f.
func runsExec(t *testing.T, tg *target, f digest.Function) bool {
	t.Helper()
	if tg.profile != profileFull {
		t.Skipf("profile %s: no Execution service expected", tg.profile)
	}
	if !tg.executes(f) {
		if f == digest.SHA256 {
			t.Fatalf("profile full but ExecutionCapabilities do not offer %s: %v", f, tg.caps.GetExecutionCapabilities())
		}
		t.Skipf("server executes no %s actions", f)
	}
	return true
}

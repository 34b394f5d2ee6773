package conformance

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Peers this suite knows by name (REX_CONFORMANCE_PEER).
const (
	peerRex         = "rex"
	peerBuildbarn   = "buildbarn"    // bb-storage/bb-remote-execution 2024-12-15, scripts/peers config
	peerBazelRemote = "bazel-remote" // v1.3.3
)

// Points where peers were observed to answer differently from each other.
// For each, the check states the spec text; a deviation below pins what a
// peer does instead, so the suite still passes against it but notices if
// the peer changes. A peer not listed is held to the spec.
const (
	// ByteStream ReadRequest.read_limit (google/bytestream/bytestream.proto):
	// "The maximum number of data bytes the server is allowed to return in
	// the sum of all ReadResponse messages. A read_limit of zero indicates
	// that there is no limit". A positive limit below the remaining size is
	// therefore valid and must be honoured. Decision: rex-server is right;
	// Buildbarn and bazel-remote refuse it. Consequence for rex's client:
	// never send a non-zero read_limit (resume with read_offset only).
	pointReadLimit = "read_limit"
	// Same field, a limit at or beyond the end of the blob: no limit in
	// effect. bazel-remote accepts it, Buildbarn still refuses.
	pointReadLimitBeyondEnd = "read_limit_beyond_end"
	// ByteStream read_offset past the end: "A read_offset that is negative or
	// greater than the size of the resource will cause an OUT_OF_RANGE
	// error." Decision: OUT_OF_RANGE (rex-server, bazel-remote); Buildbarn's
	// INVALID_ARGUMENT deviates. Harmless to clients: neither is retried.
	pointReadOffsetRange = "read_offset_out_of_range"
	// Upload whose data does not match its digest. REAPI BatchUpdateBlobs:
	// "Individual requests may return ... INVALID_ARGUMENT: The Digest does
	// not match the provided data"; ByteStream: "If the client completes the
	// upload but the Digest does not match, an INVALID_ARGUMENT error will be
	// returned." Decision: INVALID_ARGUMENT (rex-server, Buildbarn).
	// bazel-remote answers UNKNOWN for a wrong hash.
	pointWrongHash = "wrong_hash"
	// Same, declared size differs from the data's. bazel-remote answers OK in
	// BatchUpdateBlobs (and stores nothing under the requested digest), so a
	// client believes a blob is stored that is not. Decision: INVALID_ARGUMENT.
	pointWrongSizeBatch = "wrong_size_batch"
	// ByteStream Write with fewer bytes than the resource name's size.
	// bazel-remote answers UNKNOWN. Decision: INVALID_ARGUMENT (same text).
	pointShortWrite = "short_write"
	// GetActionResult of a result whose output blob is absent. Spec:
	// "Implementations SHOULD ensure that any blobs referenced from the
	// ContentAddressableStorage are available at the time of returning the
	// ActionResult". Decision: NOT_FOUND (rex-server; bazel-remote's deps
	// check). Buildbarn returns the result unless its action cache is wrapped
	// in completenessChecking (not in this config); clients must then treat a
	// missing output as a miss, which rex does (local fallback).
	pointDanglingResult = "dangling_action_result"
	// A second Execute of a successful action. Spec (Action): the server "MAY
	// choose to cache the result ... Clients SHOULD expect the server to do
	// so. By default, future calls to Execute the same Action will also serve
	// their results from the cache." Buildbarn's worker fills the action
	// cache but its scheduler never consults it (Bazel and rex call
	// GetActionResult first). Both conform (MAY); rex-server serves the hit.
	pointExecuteCacheLookup = "execute_serves_cache"
	// Execute of an action whose platform no worker offers. Spec (Execute):
	// "FAILED_PRECONDITION: One or more errors occurred in setting up the
	// action requested, such as a missing input or command or no worker
	// being available", whereas UNAVAILABLE is for "a transient condition,
	// such as all workers being occupied ... The client should retry."
	// Decision: FAILED_PRECONDITION (rex-server). Buildbarn answers
	// UNAVAILABLE ("No workers exist for instance name prefix ... platform"),
	// which a client may retry as transient. rex with a wrong
	// REX_REMOTE_PLATFORM_* against Buildbarn still falls back to a local
	// compile within half a second, naming Buildbarn's message.
	pointNoWorker = "no_worker_for_platform"
)

// deviation is what a peer does at a point instead of the spec's answer.
type deviation struct {
	code codes.Code // the code it answers with (OK: it does not fail)
}

var deviations = map[string]map[string]deviation{
	peerBuildbarn: {
		pointReadLimit:          {codes.Unimplemented}, // "does not support downloading partial files"
		pointReadLimitBeyondEnd: {codes.Unimplemented},
		pointReadOffsetRange:    {codes.InvalidArgument},
		pointDanglingResult:     {codes.OK},
		pointExecuteCacheLookup: {codes.OK}, // cached_result false
		pointNoWorker:           {codes.Unavailable},
	},
	peerBazelRemote: {
		pointReadLimit:      {codes.OutOfRange}, // "READ LIMIT EXCEEDED"
		pointWrongHash:      {codes.Unknown},
		pointWrongSizeBatch: {codes.OK},
		pointShortWrite:     {codes.Unknown},
	},
}

// deviates reports the recorded deviation of the session's peer at point.
func deviates(s *session, point string) (deviation, bool) {
	d, ok := deviations[s.peer][point]
	return d, ok
}

// wantAt checks err against the spec's codes at point, or against the peer's
// recorded deviation. It reports whether the spec's answer was expected, so
// callers can skip follow-up assertions that only hold for it.
func wantAt(t *testing.T, s *session, point, what string, err error, spec ...codes.Code) bool {
	t.Helper()
	if d, ok := deviates(s, point); ok {
		if got := status.Code(err); got != d.code {
			t.Errorf("%s: peer %s was recorded answering %v here, now %v (%v): update expectations_test.go",
				what, s.peer, d.code, got, err)
		}
		return false
	}
	wantCode(t, what, err, spec...)
	return true
}

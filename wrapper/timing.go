package wrapper

import (
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// executionTime is how long the worker took to run the action, from the
// result's metadata; 0 when the server did not say.
func executionTime(r *repb.ActionResult) time.Duration {
	m := r.GetExecutionMetadata()
	start, end := m.GetWorkerStartTimestamp(), m.GetWorkerCompletedTimestamp()
	if start == nil || end == nil {
		start, end = m.GetExecutionStartTimestamp(), m.GetExecutionCompletedTimestamp()
	}
	if start == nil || end == nil {
		return 0
	}
	if d := end.AsTime().Sub(start.AsTime()); d > 0 {
		return d
	}
	return 0
}

// localMetadata says how long a local compile took, in the result a
// cache-only miss stores, so that a later hit knows what it saved.
func localMetadata(took time.Duration) *repb.ExecutedActionMetadata {
	if took <= 0 {
		return nil
	}
	end := time.Now()
	return &repb.ExecutedActionMetadata{
		Worker:                   "rex (local compile)",
		WorkerStartTimestamp:     timestamppb.New(end.Add(-took)),
		WorkerCompletedTimestamp: timestamppb.New(end),
	}
}

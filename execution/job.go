package execution

import (
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/code"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/digest"
)

// jobKey identifies identical actions, which share one job when cacheable.
type jobKey struct {
	instance string
	function digest.Function
	action   digest.Digest
}

// actionKey names the job's result in the action cache: per instance.
func (k jobKey) actionKey() cas.ActionKey {
	return cas.ActionKey{Instance: k.instance, Key: cas.Key{Function: k.function, Digest: k.action}}
}

// property is one platform property, name and value.
type property struct{ name, value string }

// job is one action to run, watched by one or more operations. Every field
// below key is guarded by Scheduler.mu.
type job struct {
	key        jobKey
	platform   []property
	timeout    time.Duration
	doNotCache bool

	priority int32
	seq      int64 // FIFO order within a priority; requeued jobs go first
	stage    repb.ExecutionStage_Value
	resp     *repb.ExecuteResponse // set when done
	changed  chan struct{}         // closed and replaced on every change
	watchers int                   // operation streams attached now
	orphaned time.Time             // when watchers last dropped to zero
	lease    *lease                // while executing
	requeues int                   // leases lost so far
	queuedAt time.Time             // when Execute first queued it
	doneAt   time.Time
}

func newJob(key jobKey, stage repb.ExecutionStage_Value) *job {
	return &job{key: key, stage: stage, changed: make(chan struct{})}
}

// lease is a job handed to a worker.
type lease struct {
	id       string
	workerID string
	job      *job
	deadline time.Time // refreshed by heartbeats
	hardStop time.Time // the action's timeout plus slack, whatever heartbeats say
}

func (j *job) done() bool { return j.stage == repb.ExecutionStage_COMPLETED }

// setStageLocked moves the job to stage and wakes its watchers.
func (j *job) setStageLocked(stage repb.ExecutionStage_Value) {
	j.stage = stage
	close(j.changed)
	j.changed = make(chan struct{})
}

// failure builds a response that carries only an error status.
func failure(c code.Code, msg string) *repb.ExecuteResponse {
	return &repb.ExecuteResponse{Status: &statuspb.Status{Code: int32(c), Message: msg}}
}

// finishLocked records the job's response, forgets its lease and wakes
// every watcher. Finishing a finished job does nothing.
func (s *Scheduler) finishLocked(j *job, resp *repb.ExecuteResponse) {
	if j.done() {
		return
	}
	s.tellFinished(j, resp)
	if j.lease != nil {
		delete(s.leases, j.lease.id)
		j.lease = nil
	}
	s.queue.remove(j)
	if s.inflight[j.key] == j {
		delete(s.inflight, j.key)
	}
	j.resp = resp
	j.doneAt = time.Now()
	j.setStageLocked(repb.ExecutionStage_COMPLETED)
}

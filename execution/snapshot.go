package execution

import (
	"sort"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
)

// Finished describes an action that ended, for Options.Finished.
type Finished struct {
	Instance string
	Action   string // the action digest, hash/size
	Worker   string // the worker that ran it, "" when none did
	// Code is the google.rpc code of the execution's status (0: OK);
	// ExitCode the command's, when it ran.
	Code     int32
	Message  string
	ExitCode int32
	// Duration is the worker's time on the action, 0 when it did not run.
	Duration time.Duration
	At       time.Time
}

// tellFinished reports j's end to Options.Finished.
func (s *Scheduler) tellFinished(j *job, resp *repb.ExecuteResponse) {
	if s.opts.Finished == nil {
		return
	}
	f := Finished{Instance: j.key.instance, Action: j.key.action.String(), At: time.Now(),
		Code: resp.GetStatus().GetCode(), Message: resp.GetStatus().GetMessage(), ExitCode: resp.GetResult().GetExitCode()}
	if j.lease != nil {
		f.Worker = j.lease.workerID
	}
	m := resp.GetResult().GetExecutionMetadata()
	if f.Worker == "" {
		// Complete forgets the lease before the result is read.
		f.Worker = m.GetWorker()
	}
	if start, end := m.GetWorkerStartTimestamp(), m.GetWorkerCompletedTimestamp(); start != nil && end != nil {
		f.Duration = max(end.AsTime().Sub(start.AsTime()), 0)
	}
	s.opts.Finished(f)
}

// Snapshot is the scheduler's state at one moment, for the status page
// and the metrics.
type Snapshot struct {
	Queued  []string // action digests waiting for a worker, in no order
	Workers []WorkerState
}

// WorkerState is one worker the scheduler has heard from.
type WorkerState struct {
	ID       string
	Offers   []string // platform properties, name=value
	Running  []string // action digests it holds leases for
	Polling  bool     // waiting for work now
	LastSeen time.Time
}

// Running counts the actions leased to workers.
func (s Snapshot) Running() int {
	n := 0
	for _, w := range s.Workers {
		n += len(w.Running)
	}
	return n
}

// Snapshot reads the queue, the workers and their leases.
func (s *Scheduler) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var snap Snapshot
	for _, j := range s.queue.jobs {
		snap.Queued = append(snap.Queued, j.key.action.String())
	}
	byID := map[string]*WorkerState{}
	for id, w := range s.workers {
		ws := &WorkerState{ID: id, Polling: w.polling > 0, LastSeen: w.lastSeen}
		for p := range w.offers {
			ws.Offers = append(ws.Offers, p.name+"="+p.value)
		}
		sort.Strings(ws.Offers)
		byID[id] = ws
	}
	for _, l := range s.leases {
		if ws := byID[l.workerID]; ws != nil {
			ws.Running = append(ws.Running, l.job.key.action.String())
		}
	}
	for _, ws := range byID {
		snap.Workers = append(snap.Workers, *ws)
	}
	sort.Slice(snap.Workers, func(i, j int) bool { return snap.Workers[i].ID < snap.Workers[j].ID })
	return snap
}

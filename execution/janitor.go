package execution

import (
	"fmt"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/code"
)

// Stage shorthands.
const (
	queued    = repb.ExecutionStage_QUEUED
	executing = repb.ExecutionStage_EXECUTING
)

// janitor periodically expires leases, fails actions no worker can run,
// drops unwanted ones and forgets old operations and workers.
func (s *Scheduler) janitor() {
	defer s.stopped.Done()
	t := time.NewTicker(s.tick())
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.sweep(now)
		}
	}
}

// tick is a fraction of the shortest deadline the janitor enforces.
func (s *Scheduler) tick() time.Duration {
	d := min(s.opts.LeaseTimeout, s.opts.WorkerGrace) / 4
	return min(max(d, 5*time.Millisecond), time.Second)
}

func (s *Scheduler) sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLeasesLocked(now)
	s.sweepQueueLocked(now)
	s.forgetLocked(now)
}

// expireLeasesLocked requeues the actions of workers that stopped
// heart-beating, and fails those that outran their timeout by far.
func (s *Scheduler) expireLeasesLocked(now time.Time) {
	for _, l := range s.leases {
		switch {
		case now.After(l.hardStop):
			s.finishLocked(l.job, failure(code.Code_DEADLINE_EXCEEDED,
				fmt.Sprintf("worker %s did not finish within the timeout of %v", l.workerID, l.job.timeout)))
		case now.After(l.deadline):
			s.requeueLocked(l)
		}
	}
}

// requeueLocked puts the action of a lost lease at the front of the queue,
// or fails it when it has lost too many leases: something about it may be
// killing workers, and looping forever helps nobody.
func (s *Scheduler) requeueLocked(l *lease) {
	j := l.job
	delete(s.leases, l.id)
	j.lease = nil
	j.requeues++
	if j.requeues > s.opts.MaxRequeues {
		s.finishLocked(j, failure(code.Code_UNAVAILABLE,
			fmt.Sprintf("action lost %d leases (last on worker %s); giving up", j.requeues, l.workerID)))
		return
	}
	j.setStageLocked(queued)
	s.queue.pushFront(j)
	s.notifyWorkersLocked()
}

// sweepQueueLocked fails queued actions no worker can run (once the grace
// period is over) and cancels do_not_cache actions nobody waits for.
func (s *Scheduler) sweepQueueLocked(now time.Time) {
	for _, j := range append([]*job(nil), s.queue.jobs...) {
		if why := s.unrunnableLocked(j.platform, now); why != "" {
			s.finishLocked(j, failure(code.Code_FAILED_PRECONDITION, why))
		} else if s.unwantedLocked(j, now) {
			s.finishLocked(j, failure(code.Code_CANCELLED, "every client waiting for this do_not_cache action went away"))
		}
	}
}

// forgetLocked drops operations finished long ago and workers gone quiet.
func (s *Scheduler) forgetLocked(now time.Time) {
	for name, j := range s.ops {
		if j.done() && now.Sub(j.doneAt) > s.opts.OperationRetention {
			delete(s.ops, name)
		}
	}
	for id, w := range s.workers {
		if !s.aliveLocked(w, now) {
			delete(s.workers, id)
		}
	}
}

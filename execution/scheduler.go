// Package execution owns remote execution on the server side: the REAPI
// Execution service (Execute, WaitExecution), the queue of actions with
// priorities and merging of identical in-flight actions, platform matching,
// and the workerpb.Workers service through which workers lease actions,
// heart-beat and report results.
package execution

import (
	"sync"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/workerpb"
)

// Options tune the scheduler. A zero field takes the default given in
// parentheses in its comment.
type Options struct {
	// DefaultTimeout applies to actions without a timeout (10 min).
	DefaultTimeout time.Duration
	// MaxTimeout bounds Action.timeout; a larger one is rejected with
	// INVALID_ARGUMENT, as the REAPI spec requires (1 h).
	MaxTimeout time.Duration
	// HeartbeatInterval is how often workers are told to heart-beat (2 s).
	HeartbeatInterval time.Duration
	// LeaseTimeout is how long a lease lives without a heartbeat before
	// its action goes back to the queue (10 s).
	LeaseTimeout time.Duration
	// WorkerGrace is how long after start the scheduler waits for a worker
	// that can run an action before failing it (5 s).
	WorkerGrace time.Duration
	// WorkerExpiry forgets a worker not heard from in this long (1 min).
	WorkerExpiry time.Duration
	// MaxLeaseWait bounds how long a Lease call is held open (30 s).
	MaxLeaseWait time.Duration
	// MaxRequeues is how many lost leases an action survives before it
	// fails with UNAVAILABLE (3).
	MaxRequeues int
	// OperationRetention keeps finished operations for WaitExecution (5 min).
	OperationRetention time.Duration
	// Command bounds the Action and Command an Execute may name.
	Command CommandLimits
	// Directories keeps the input Directories Execute's check reads, so
	// that the next check of a tree that names one asks the store only
	// whether its blob is still there. rex-server shares it with its
	// embedded workers (default: one of the scheduler's own).
	Directories *cas.Directories
	// Finished, when set, is told of every action that ends (its metrics,
	// the status page). It runs under the scheduler's lock: keep it short.
	Finished func(Finished)
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.DefaultTimeout, 10*time.Minute)
	def(&o.MaxTimeout, time.Hour)
	def(&o.HeartbeatInterval, 2*time.Second)
	def(&o.LeaseTimeout, 10*time.Second)
	def(&o.WorkerGrace, 5*time.Second)
	def(&o.WorkerExpiry, time.Minute)
	def(&o.MaxLeaseWait, 30*time.Second)
	def(&o.OperationRetention, 5*time.Minute)
	if o.MaxRequeues <= 0 {
		o.MaxRequeues = 3
	}
	o.Command = o.Command.withDefaults()
	if o.Directories == nil {
		o.Directories = cas.NewDirectories(cas.DefaultDirectoriesBytes)
	}
	if o.DefaultTimeout > o.MaxTimeout {
		o.DefaultTimeout = o.MaxTimeout
	}
	return o
}

// Scheduler queues actions, hands them to workers and streams their
// progress to clients. It serves both the REAPI Execution service and the
// workerpb.Workers service; create it with New.
type Scheduler struct {
	blobs cas.BlobStore
	ac    cas.ActionCache
	opts  Options
	start time.Time

	mu       sync.Mutex
	queue    queue
	inflight map[jobKey]*job       // cacheable jobs not yet done, for merging
	ops      map[string]*job       // operation name -> job, kept after done
	leases   map[string]*lease     // lease id -> lease
	workers  map[string]*workerRec // worker id -> what it offers
	wake     chan struct{}         // closed when work is queued
	closed   bool
	done     chan struct{} // closed by Close
	stopped  sync.WaitGroup
}

// New returns a scheduler that reads actions from blobs and records
// successful results in ac. Call Close to stop its background work.
func New(blobs cas.BlobStore, ac cas.ActionCache, opts Options) *Scheduler {
	s := &Scheduler{
		blobs:    blobs,
		ac:       ac,
		opts:     opts.withDefaults(),
		start:    time.Now(),
		inflight: make(map[jobKey]*job),
		ops:      make(map[string]*job),
		leases:   make(map[string]*lease),
		workers:  make(map[string]*workerRec),
		wake:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.stopped.Add(1)
	go s.janitor()
	return s
}

// Register adds the REAPI Execution service and the workerpb.Workers
// service to g.
func (s *Scheduler) Register(g *grpc.Server) {
	repb.RegisterExecutionServer(g, executionServer{s: s})
	workerpb.RegisterWorkersServer(g, workersServer{s: s})
}

// Close stops the background work and releases waiting Lease calls and
// operation streams. It is safe to call more than once.
func (s *Scheduler) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.stopped.Wait()
}

// notifyWorkersLocked wakes every waiting Lease call.
func (s *Scheduler) notifyWorkersLocked() {
	close(s.wake)
	s.wake = make(chan struct{})
}

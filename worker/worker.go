// Package worker owns rex's execution side: it pulls leased actions from a
// rex-server over the workerpb protocol, stages each action's inputs from
// the CAS into a fresh directory, runs the command there (in a jail of Linux
// namespaces, as an unprivileged user that sees only that directory and the
// toolchain, with limits; never unisolated unless told to), collects and
// uploads the outputs, and reports the ActionResult.
package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/workerpb"
)

// Worker runs leased actions. Build one with New and call Run; one Worker
// with Concurrency N is how to run N actions at once. Options.Dir belongs to
// one Worker: Run clears what a previous run left there.
type Worker struct {
	workers workerpb.WorkersClient
	cas     *client.Client
	opts    Options
}

// New prepares a worker that leases work over conn (a connection to a
// server offering the workerpb.Workers service) and moves blobs through cas.
// Options are checked when Run starts.
func New(conn grpc.ClientConnInterface, cas *client.Client, opts Options) *Worker {
	return &Worker{workers: workerpb.NewWorkersClient(conn), cas: cas, opts: opts}
}

// Run leases and runs actions, Concurrency at a time, until ctx is done.
// It returns an error only when the worker cannot start (bad options, no
// usable directory, a required sandbox that does not work).
func (w *Worker) Run(ctx context.Context) error {
	opts, err := w.opts.withDefaults()
	if err != nil {
		return err
	}
	if err := resetActionsDir(filepath.Join(opts.Dir, actionsSubdir)); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	sandbox, err := chooseSandbox(ctx, opts)
	if err != nil {
		return err
	}
	defer sandbox.close()
	cache, err := newFileCache(filepath.Join(opts.Dir, cacheSubdir), opts.CacheBytes)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	var dirs *dirCache
	if sandbox.jail != nil { // only a jailed action cannot write a shared subtree
		if dirs, err = newDirCache(filepath.Join(opts.Dir, dirCacheSubdir), defaultDirCacheEntries); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
	}
	trees := opts.Directories
	if trees == nil {
		trees = cas.NewDirectories(cas.DefaultDirectoriesBytes)
	}
	r := &runner{workers: w.workers, opts: opts, sandbox: sandbox, cache: cache, dirs: dirs, trees: trees,
		watch: newWatcher(opts.Dir),
		cas:   &casClients{local: opts.Store, adopt: adoptFor(opts, sandbox), base: w.cas, open: opts.CASFor}}
	defer r.cas.close()
	opts.Logf("worker %s: %d slot(s), sandbox %s", opts.ID, opts.Concurrency, sandbox.describe())
	g, ctx := errgroup.WithContext(ctx)
	for range opts.Concurrency {
		g.Go(func() error {
			r.leaseLoop(ctx)
			return nil
		})
	}
	return g.Wait()
}

// resetActionsDir creates dir, or empties it of what an earlier run that
// did not finish left behind. Dir belongs to one Worker at a time.
func resetActionsDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// adoptFor is how outputs move into the server's store: only a jailed
// action's, whose processes are all gone once it ends (its PID namespace
// dies with it), so that nothing can change a file between its hashing and
// its move. Without the jail outputs are copied and verified.
func adoptFor(opts Options, sandbox sandboxState) func(context.Context, cas.Key, string) error {
	if sandbox.jail == nil {
		return nil
	}
	return opts.AdoptFile
}

// runner is the state the lease loops share; it never changes after Run
// builds it.
type runner struct {
	workers workerpb.WorkersClient
	cas     *casClients
	opts    Options
	sandbox sandboxState
	cache   *fileCache
	dirs    *dirCache // nil without the jail
	trees   *treeCache
	watch   *watcher
}

// leaseLoop asks for work and runs it until ctx is done. Errors talking to
// the server are retried with a bounded backoff.
func (r *runner) leaseLoop(ctx context.Context) {
	backoff := firstLeaseErrorBackoff
	for ctx.Err() == nil {
		lease, err := r.lease(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.opts.Logf("worker %s: lease: %v (retrying in %v)", r.opts.ID, err, backoff)
			}
			sleep(ctx, backoff)
			backoff = min(2*backoff, maxLeaseErrorBackoff)
			continue
		}
		backoff = firstLeaseErrorBackoff
		if lease.GetLeaseId() != "" {
			r.handle(ctx, lease)
		}
	}
}

// leaseRPCMargin is how much longer than max_wait a Lease call may take.
const leaseRPCMargin = 10 * time.Second

func (r *runner) lease(ctx context.Context) (*workerpb.LeaseResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.LeaseWait+leaseRPCMargin)
	defer cancel()
	return r.workers.Lease(ctx, &workerpb.LeaseRequest{
		WorkerId: r.opts.ID,
		Platform: platformProps(r.opts.Platform),
		MaxWait:  durationpb.New(r.opts.LeaseWait),
	})
}

func platformProps(m map[string]string) []*workerpb.Property {
	props := make([]*workerpb.Property, 0, len(m))
	for name, value := range m {
		props = append(props, &workerpb.Property{Name: name, Value: value})
	}
	sort.Slice(props, func(i, j int) bool { return props[i].Name < props[j].Name })
	return props
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
